"""Dependencies: ``block`` (an item waits on others) and ``unblock``."""

from __future__ import annotations

import argparse

from tui.cli.inputs import open_workspace, parse_id
from tui.cli.output import EXIT_OK, Out, told_json


def _ids(words: list[str]) -> list[int]:
    """``--by 15 --by 16`` or ``--by 15,16``: the ids, in order, once each."""
    ids: list[int] = []
    for word in words:
        for part in word.replace(",", " ").split():
            blocker = parse_id(part)
            if blocker not in ids:
                ids.append(blocker)
    return ids


def run_block(args: argparse.Namespace) -> int:
    from data.model.dependencies import open_blockers
    from data.writes.ops import Block

    item_id, by = parse_id(args.id), _ids(args.by)
    workspace = open_workspace(args)
    result = workspace.apply(Block(item_id, by))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    snapshot = workspace.snapshot()
    out = Out()
    def blocker(item_id: int) -> str:
        item = snapshot.items[item_id]
        return f"#{item_id} ({item.status}, " + (f"@{out.safe(item.owner)})" if item.owner else "no owner)")

    listed = ", ".join(blocker(b) for b in by)
    if result.changed:
        out.write(f"#{item_id} blocked by {listed}")
    else:
        out.write(f"#{item_id} was already blocked by {listed}")
    waiting = open_blockers(snapshot.docs[item_id], snapshot.docs, snapshot.settings.is_open)
    out.write(f"#{item_id} waits on {len(waiting)} open item{'s' if len(waiting) != 1 else ''}"
              + (": " + " ".join(f"#{b}" for b in waiting) if waiting else ""))
    return EXIT_OK


def run_unblock(args: argparse.Namespace) -> int:
    from data.model.dependencies import blockers_of
    from data.writes.ops import Unblock

    item_id, by = parse_id(args.id), _ids(args.by)
    workspace = open_workspace(args)
    before = blockers_of(workspace.snapshot().item(item_id).doc)
    result = workspace.apply(Unblock(item_id, by))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    left = blockers_of(workspace.snapshot().item(item_id).doc)
    out = Out()
    gone = [b for b in before if b not in left]
    if gone:
        out.write(f"#{item_id} no longer blocked by {' '.join(f'#{b}' for b in gone)}")
    elif by:
        out.write(f"#{item_id} was not blocked by {' '.join(f'#{b}' for b in by)}")
    out.write(f"#{item_id} still waits on {' '.join(f'#{b}' for b in left)}" if left else f"#{item_id} waits on nothing")
    return EXIT_OK
