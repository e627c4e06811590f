"""Grading an answer: text -> matching -> verification -> scoring, and the fitted map.

The pipeline is pure: the embedder and verifier are ports (`interviewer.core.ports`)."""
