"""Verifiers measured by `interviewer eval`/`tune` and not shipped: an embedding head and a
cross-encoder, plus the per-fold wrapper used for cross-validation."""
