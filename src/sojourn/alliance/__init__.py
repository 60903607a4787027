"""alliance context."""
