"""bases context."""
