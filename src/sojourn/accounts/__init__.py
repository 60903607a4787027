"""accounts context."""
