"""People: ``person add`` and ``people``."""

from __future__ import annotations

import argparse

from tui.cli.inputs import open_workspace
from tui.cli.output import EXIT_OK, Out, table


def run_person(args: argparse.Namespace) -> int:
    from data.model.items import Person
    from data.writes.ops import AddPerson

    workspace = open_workspace(args)
    person = Person(handle=args.handle, name=args.name, team=args.team, capacity=args.capacity)
    workspace.apply(AddPerson(person))
    Out().write(f"added {args.handle.strip().lstrip('@')}")
    return EXIT_OK


def run_people(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    from data.views.figures import open_load

    load = dict.fromkeys(snapshot.people, 0) | {h: n for h, n in open_load(snapshot).items() if h in snapshot.people}
    out = Out()
    if not snapshot.people:
        out.write("no people yet; add them with `worktop person add HANDLE --name NAME --team TEAM`")
        return EXIT_OK
    rows = []
    for person in sorted(snapshot.people.values(), key=lambda p: (p.team, p.handle)):
        over = load[person.handle] > person.capacity
        rows.append((out.safe(person.handle), out.safe(person.team or "-"),
                     f"{load[person.handle]}/{person.capacity}" + (" over capacity" if over else ""),
                     out.safe(person.name)))
    table(out, ("HANDLE", "TEAM", "OPEN/CAPACITY", "NAME"), rows, number_first=False)
    return EXIT_OK
