"""What the CLI and the TUI both show: the highlight rule and palette, verdict marks, tables."""
