"""The base console: operators run their own bases (tours, capacity, arrivals, health reviews, feedback)."""
