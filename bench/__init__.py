"""Reproducible benchmarks and the synthetic data generator (see docs/benchmarks.md)."""
