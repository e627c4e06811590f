"""Screens of the interview TUI, one module each."""
