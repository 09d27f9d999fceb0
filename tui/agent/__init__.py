"""``worktop mcp``: the workspace offered to a coding agent as Model Context Protocol tools.

:mod:`tui.agent.tools` turns the CLI's one registry of commands
(:mod:`tui.cli.registry`) into tools: a JSON schema from each command's typed
arguments, a description saying what it answers, and a call that runs the
command's own run function, so an agent's change takes the same checks, the
same ``Workspace.apply`` and the same messages as a person's at the command line.
:mod:`tui.agent.server` serves those tools over stdio with the official ``mcp``
SDK and keeps the agent's presence file, so people see ``◉agent:reviewer`` in
their header while it works.

Nothing here is imported by ``worktop`` or the other commands: only ``worktop mcp`` loads it (and the SDK).
"""
