"""tours context."""
