"""notifications context."""
