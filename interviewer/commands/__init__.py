"""Command-line subcommands; each module adds its parser and a handler returning an exit status."""
