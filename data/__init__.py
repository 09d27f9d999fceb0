"""worktop's data layer: model, storage, operations, query, dates, watcher.

Nothing in this package imports Textual, so the CLI and scripts can use it
without a terminal (``tests/unit/test_import_hygiene.py`` enforces this).
"""
