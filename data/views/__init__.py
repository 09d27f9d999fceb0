"""Read-only figures over a snapshot, shared by the CLI and the TUI: gaps, goals, ownership, pulse, report, similar."""
