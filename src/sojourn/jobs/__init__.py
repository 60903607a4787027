"""Background jobs: which job functions run when (schedule.py) and the saq queue and worker
that run them (runtime.py). The job functions themselves live in their contexts."""
