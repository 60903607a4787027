"""health context."""
