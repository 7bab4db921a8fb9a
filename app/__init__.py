"""Entry points: CLI, run-time wiring, reports, the demo."""
