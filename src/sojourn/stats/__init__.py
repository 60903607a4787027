"""stats context."""
