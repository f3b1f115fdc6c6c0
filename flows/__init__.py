"""Orchestration only: Prefect flows and tasks around the plain stage functions, the CLI, serve."""
