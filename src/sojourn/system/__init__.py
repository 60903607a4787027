"""Operational endpoints: health checks."""
