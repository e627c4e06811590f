"""The pure core, by topic: bank/, rubric/, grading/, interview/, transcripts/, feedback/, with
every seam in ports.py and the shared result and problem types in result.py and problems.py.

Nothing here imports Textual, torch, sentence-transformers or openai; an import-linter contract and
a test hold that line.
"""
