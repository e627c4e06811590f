"""The pure core: models, bank and rubric loading, scoring maths, evaluation metrics.

Nothing here imports Textual, torch, sentence-transformers or openai; an import-linter contract and
a test hold that line.
"""
