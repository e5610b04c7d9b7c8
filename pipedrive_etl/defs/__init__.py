"""Dagster wiring, thin: resources, assets, jobs, schedules and sensors over the plain-Python packages."""
