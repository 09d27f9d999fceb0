"""Every change to a workspace: ``Workspace.apply`` and the operations, triage, undo and recurrence built on it."""
