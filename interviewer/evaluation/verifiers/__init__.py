"""Verifiers measured by `interviewer eval`/`tune` and not shipped: an embedding head and a
cross-encoder, the per-fold wrapper used for cross-validation, and loading one from a folder."""
