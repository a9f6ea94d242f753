"""Benchmarks, run with `scripts/bench NAME`; results are kept in docs/benchmarks.md."""
