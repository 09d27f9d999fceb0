"""worktop's terminal app: the App, screens, the CLI entry point and command palette.

This package's ``__init__`` imports nothing, so ``tui.cli`` can run the
non-interactive commands without loading Textual.
"""
