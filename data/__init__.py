"""worktop's data layer, in four packages that import only downward:

``model``  what a workspace holds (items, people, settings, dates, queries, rules)
``store``  where it lives (the file, its lock, change notes, watcher, sharing, presence)
``writes`` how it changes (``Workspace.apply``, operations, triage, undo, recurrence)
``views``  read-only figures over a snapshot (gaps, goals, ownership, pulse, report, similar)

Nothing in this package imports Textual, so the CLI and scripts can use it
without a terminal (``tests/unit/test_import_hygiene.py`` enforces this).
"""
