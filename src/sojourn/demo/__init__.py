"""Demo data: a realistic alliance catalogue and the code that seeds it."""
