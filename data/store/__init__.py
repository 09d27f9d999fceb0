"""Where a workspace lives: the file format, its lock, change notes, the watcher, sharing and presence.

Everything here treats the files beside the workspace as input from other people
(they may be links, FIFOs, huge or lying); see DESIGN.md, "The trust boundary".
"""
