"""``worktop step``: the steps of an item (the "how"), numbered from 1 as ``worktop show`` lists them.

Each change is one operation (data/writes/steps.py), as the TUI's why pane applies it:
in the history, undoable in the app, and checked against the step's text, so a
step someone else moved or removed meanwhile is found by its text or refused.
"""

from __future__ import annotations

import argparse

from tui.cli.inputs import open_workspace, parse_id
from tui.cli.output import EXIT_OK, CliError, Out, print_json, told_json


def run_step(args: argparse.Namespace) -> int:
    from data.writes.steps import AddStep, EditStep, MoveStep, RemoveStep, ToggleStep
    from data.writes.workspace import Result

    item_id = parse_id(args.id)
    workspace = open_workspace(args)
    item = workspace.snapshot().item(item_id)
    action = args.step_command or "list"
    out = Out()
    as_json = bool(getattr(args, "json", False))
    if action == "list":
        if as_json:
            print_json({"id": item.id, "title": item.title, "steps": [
                {"number": number, "text": str(step.get("text", "")), "done": bool(step.get("done"))}
                for number, step in enumerate(item.checklist, start=1)]})
        else:
            _list(out, item)
        return EXIT_OK

    def said(result: Result | None, text: str) -> int:
        """Tell what happened: the line, or with --json what changed and the item as it is now."""
        if result is None:  # nothing to do: the step was already so
            result = Result(revision=workspace.snapshot().revision, item_id=item_id, changed=False)
        if not told_json(args, workspace, result, item_id, said=text):
            out.write(text)
        return EXIT_OK

    steps = item.checklist
    if action == "add":
        text = " ".join(args.text)
        at = None if args.at is None else args.at - 1
        if args.at is not None and not 1 <= args.at <= len(steps) + 1:
            raise CliError(f"--at {args.at}: #{item_id} has {len(steps)} step{'s' if len(steps) != 1 else ''}, "
                           f"so a new one can go in at 1 to {len(steps) + 1}")
        result = workspace.apply(AddStep(item_id, text, at=at))
        return said(result, f"#{item_id}: step {(at if at is not None else len(steps)) + 1} added")
    index = args.number - 1
    if not 0 <= index < len(steps):
        raise CliError(f"#{item_id} has no step {args.number}"
                       + (f" (it has {len(steps)}: worktop step {item_id} lists them)" if steps else " (no steps yet)"))
    seen = str(steps[index].get("text", ""))
    done = bool(steps[index].get("done"))
    if action in ("done", "undo"):
        if done == (action == "done"):
            return said(None, f"#{item_id}: step {args.number} is already {'done' if done else 'not done'}")
        result = workspace.apply(ToggleStep(item_id, index, expected_done=done, expected_text=seen))
        return said(result, f"#{item_id}: step {args.number} {'done' if action == 'done' else 'not done'}: "
                    f"{out.safe(seen)}")
    elif action == "edit":
        result = workspace.apply(EditStep(item_id, index, " ".join(args.text), expected_text=seen))
        return said(result, f"#{item_id}: step {args.number} changed")
    elif action == "move":
        if not 1 <= args.to <= len(steps):
            raise CliError(f"step {args.number} can move to 1 to {len(steps)}, not {args.to}")
        result = workspace.apply(MoveStep(item_id, index, args.to - 1 - index, expected_text=seen))
        return said(result, f"#{item_id}: step {args.number} is now step {args.to}")
    elif action == "rm":
        result = workspace.apply(RemoveStep(item_id, index, expected_text=seen))
        return said(result, f"#{item_id}: step {args.number} removed: {out.safe(seen)}")
    raise CliError(f"unknown step action {action!r}")


def _list(out: Out, item) -> None:  # noqa: ANN001 - data.model.items.Item
    steps = item.checklist
    if not steps:
        out.write(f"#{item.id} has no steps yet; worktop step {item.id} add TEXT adds one")
        return
    done = sum(1 for step in steps if step.get("done"))
    out.write(f"#{item.id} {out.safe(item.title)} · {done}/{len(steps)} steps done")
    for number, step in enumerate(steps, start=1):
        out.write(f"  {number:>2}. [{'x' if step.get('done') else ' '}] {out.safe(str(step.get('text', '')))}")
