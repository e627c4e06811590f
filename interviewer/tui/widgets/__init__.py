"""Widgets of the interview TUI."""
