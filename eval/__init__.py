"""Checkout-only data, benchmarks and training scripts (run with `python -m`); not shipped."""
