"""Benchmarks and evaluations (run with `make bench`)."""
