"""feedback context."""
