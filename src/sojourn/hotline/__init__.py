"""hotline context: the desk where agents book and declare for seniors who consented."""
