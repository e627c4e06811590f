"""Scoring rubrics: the schema and loading, checked against their banks."""
