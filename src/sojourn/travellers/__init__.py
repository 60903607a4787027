"""travellers context."""
