"""Stored practice sessions as records, their JSON/Markdown/HTML forms, and an in-memory store."""
