"""One Textual widget per pane, plus small shared widgets. No file I/O here."""
