"""People: ``person add`` and ``people``."""

from __future__ import annotations

import argparse

from tui.cli.inputs import open_workspace
from tui.cli.output import EXIT_OK, Out, change_json, print_json, table


def run_person(args: argparse.Namespace) -> int:
    from data.model.items import Person
    from data.writes.people import AddPerson

    workspace = open_workspace(args)
    person = Person(handle=args.handle, name=args.name, team=args.team, capacity=args.capacity)
    result = workspace.apply(AddPerson(person))
    if args.json:
        handle = args.handle.strip().lstrip("@")
        added = workspace.snapshot().people[handle]
        print_json(change_json(workspace, result, person={"handle": added.handle, "name": added.name,
                                                          "team": added.team, "capacity": added.capacity}))
        return EXIT_OK
    Out().write(f"added {args.handle.strip().lstrip('@')}")
    return EXIT_OK


def run_people(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    from data.views.figures import open_load

    load = dict.fromkeys(snapshot.people, 0) | {h: n for h, n in open_load(snapshot).items() if h in snapshot.people}
    if args.json:
        print_json([{"handle": p.handle, "name": p.name, "team": p.team, "capacity": p.capacity,
                     "open_items": load[p.handle], "over_capacity": load[p.handle] > p.capacity}
                    for p in sorted(snapshot.people.values(), key=lambda p: (p.team, p.handle))])
        return EXIT_OK
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
