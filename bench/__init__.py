"""Benchmarks that anyone can rerun: `make bench` writes docs/benchmarks.md."""
