"""Records into items: one operation, so an import is one atomic write (all or nothing).

:class:`ImportItems` runs inside ``Workspace.apply`` against the fresh file, so
what a dry run reports is what a real run would do: a dry run is the same
operation with the writing left out.

Each imported item remembers where it came from in ``source``::

    {"system": "taskwarrior", "id": "<uuid>", "fields": {...}, "seen": {...}}

``id`` is how a re-import finds it again (never a duplicate); ``fields`` holds
every source field worktop does not map (UDAs, Linear's cycle, a Trello card's
URL), so nothing is lost; ``seen`` holds a short hash of each mapped value as
the source last gave it (an empty value is left out). On a re-import a field is updated only when the
source's value changed since then, so an owner or due date someone set in
worktop is not reset by a source that never had one, while a change made at the
source comes through.

History entries of an import carry ``"via": "import"``: the pulse reads when
work finished from the source (``status_since``), not from the day of the import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from data.errors import BadValue
from data.interchange.records import Parsed, Record, Skip
from data.model.dependencies import blockers_of, cycle_through, describe_cycle
from data.model.items import CLOSED_STATUSES, Person, Settings, clean_text, coerce_field, is_handle
from data.model.rules import parse_rule
from data.writes.checks import BOOKKEEPING, same_value
from data.writes.ops import release_blocked
from data.writes.people import AddPerson
from data.writes.workspace import Transaction

MAPPED = ("title", "kind", "status", "owner", "due", "snoozed_until", "tags", "priority", "body", "why", "checklist",
          "parent", "blocked_by", "rule", "rule_start")
"""The item fields an import sets, in the order a dry run lists them."""

_BOOKKEEPING = BOOKKEEPING | {"source", "generate_from"}
"""What a create's history entry leaves out; an import also stamps where each item came from."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: list[int] = field(default_factory=list)
    updated: dict[int, list[str]] = field(default_factory=dict)
    """Item id → the fields the import changed."""
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)
    missing_people: dict[str, str] = field(default_factory=dict)
    """Handles the source names who are not in the workspace (their work got no owner), → full name."""
    added_people: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    templates: list[int] = field(default_factory=list)
    """Recurring workflows made (their instances are generated after the import)."""


def value_hash(value: Any) -> str:
    """A short, stable digest of a mapped value (what ``source.seen`` keeps); ``""`` for an empty one."""
    if value is None or value == "" or value == []:  # most fields of most records, and not stored in seen
        return ""
    return hashlib.blake2b(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=5).hexdigest()


FIELDS_DEPTH = 16
"""How deeply a kept source field may nest; a deeper one is kept as its JSON text (the workspace's own limit is 64)."""


def bounded(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with any value nested deeper than :data:`FIELDS_DEPTH` kept as JSON text instead."""
    from data.model.documents import depth

    result = {}
    for name, value in fields.items():
        if type(value) in (dict, list) and depth(value, FIELDS_DEPTH) > FIELDS_DEPTH:
            try:
                value = orjson.dumps(value).decode()
            except orjson.JSONEncodeError:
                value = "(nested too deeply to keep)"
        result[str(name)] = value
    return result


@dataclass
class ImportItems:
    """Create or update one item per record (see the module docstring)."""

    parsed: Parsed
    add_people: bool = False
    """Add the people the source names (else their work is imported without an owner, and they are listed)."""
    dry_run: bool = False
    progress: Callable[[int, int], None] | None = None
    """Called with (records done, records in all) as the import goes."""
    statuses: dict[str, str] = field(default_factory=dict)
    """A source's status or list name (any case) → the workspace status its work goes to (``--statuses``)."""
    report: ImportReport = field(default_factory=ImportReport)

    def apply(self, txn: Transaction) -> int | None:
        parsed, report = self.parsed, self.report
        report.skipped.extend(parsed.skipped)
        settings = txn.settings
        self._done = settings.done
        system = parsed.system
        self.statuses = {name.strip().lower(): status.strip().lower() for name, status in self.statuses.items()}
        for name, status in self.statuses.items():
            if status not in settings.all_statuses:
                raise BadValue(f"--statuses: {name}={status}, but this workspace has no status {status!r}; "
                               f"statuses: {', '.join(settings.all_statuses)}")
        existing: dict[str, int] = {}
        ranks: dict[str, float] = {}
        docs_now: dict[int, dict[str, Any]] = {}
        for item_id, doc in txn.docs():
            docs_now[item_id] = doc
            source = doc.get("source")
            if isinstance(source, dict) and source.get("system") == system and isinstance(source.get("id"), str):
                existing.setdefault(source["id"], item_id)
            status = str(doc.get("status", ""))
            ranks[status] = max(ranks.get(status, 0.0), float(doc.get("rank", 0.0) or 0.0))
        people = self._people(txn)

        # Which item each record becomes: found by its key, or (worktop's own export) by its id; else new.
        targets: dict[str, int | None] = {}
        records: list[Record] = []
        claimed: set[int] = set()
        next_id = max(docs_now, default=0) + 1
        planned_new: dict[str, int] = {}
        for record in parsed.records:
            if record.key in targets:
                report.skipped.append(Skip(record.where, f"the same id ({record.key}) as an earlier record"))
                continue
            target = existing.get(record.key)
            if target is None and record.match_item in docs_now and record.match_item not in claimed:
                target = record.match_item
            if target is not None:
                claimed.add(target)
            else:
                planned_new[record.key] = next_id
                next_id += 1
            targets[record.key] = target
            records.append(record)
        ids = {key: target if target is not None else planned_new[key] for key, target in targets.items()}

        values: dict[str, dict[str, Any]] = {}
        for record in records:
            value = self._values(record, settings, people, txn.today)
            if value is None:
                report.skipped.append(Skip(record.where, "no title"))
            else:
                values[record.key] = value
        records = [r for r in records if r.key in values]
        final_status: dict[int, str] = {ids[r.key]: values[r.key]["status"] for r in records}

        def status_of(item_id: int) -> str:
            if item_id in final_status:
                return final_status[item_id]
            return str(docs_now.get(item_id, {}).get("status", ""))

        # References: parents and blockers, by key, to records here or to items an earlier import made.
        known_keys = {**existing, **ids}
        key_of = {item_id: key for key, item_id in known_keys.items()}
        waits_on = {i: blockers_of(d) for i, d in docs_now.items() if d.get("blocked_by")}
        parents = {i: d.get("parent") for i, d in docs_now.items() if d.get("parent") is not None}
        for record in records:
            want = values[record.key]
            me = ids[record.key]
            target = targets[record.key]
            seen = _seen(docs_now[target], record.key) if target is not None else {}
            want["parent"] = None
            if record.parent is not None:
                parent = known_keys.get(record.parent)
                if parent is None:
                    report.warnings.append(f"{record.where}: its parent {record.parent!r} is not in the file; left out")
                elif self._parent_loops(me, parent, parents):
                    report.warnings.append(f"{record.where}: parent {record.parent!r} would be inside it; left out")
                else:
                    want["parent"] = parent
                    parents[me] = parent
            resolved: list[int] = []
            for key in record.blocked_by:
                blocker = known_keys.get(key)
                if blocker is None:
                    report.warnings.append(f"{record.where}: waits on {key!r}, which is not in the file; left out")
                elif blocker != me and blocker not in resolved and status_of(blocker) not in CLOSED_STATUSES:
                    resolved.append(blocker)  # work that will not be done holds nothing up (as archiving clears it)
            current = waits_on.get(me, [])
            accepted = [b for b in resolved if b in current]
            for blocker in (b for b in resolved if b not in current):
                cycle = cycle_through(me, [blocker], lambda i: waits_on.get(i, []))
                if cycle is not None:
                    report.warnings.append(f"{record.where}: waiting on {key_of.get(blocker, blocker)!r} would make a "
                                           f"cycle ({describe_cycle(cycle)}); left out")
                    continue
                accepted.append(blocker)
                waits_on[me] = [*waits_on.get(me, []), blocker]
            want["blocked_by"] = [b for b in resolved if b in accepted]
            # The graph the next records are checked against: what this item will hold after the import.
            keeps = target is not None and bool(seen) and seen.get("blocked_by", "") == value_hash(want["blocked_by"])
            waits_on[me] = current if keeps else want["blocked_by"]

        if not self.dry_run:
            for handle in report.added_people:
                AddPerson(Person(handle, name=parsed.people.get(handle, ""))).apply(txn)
        total = len(records)
        for done, record in enumerate(records, start=1):
            want = values[record.key]
            target = targets[record.key]
            if target is None:
                item_id = self._create(txn, record, want, ranks, system)
                report.created.append(item_id)
                if want["kind"] == "recurring" and want.get("rule"):
                    report.templates.append(item_id)
            else:
                changed = self._update(txn, target, record, want, ranks, docs_now[target], system)
                if changed:
                    report.updated[target] = changed
                    if "status" in changed and want["status"] in CLOSED_STATUSES and not self.dry_run:
                        release_blocked(txn, target, want["status"])  # as archiving it by hand would
                else:
                    report.unchanged += 1
            if self.progress is not None and (done % 500 == 0 or done == total):
                self.progress(done, total)
        return None

    # -- people ----------------------------------------------------------------------
    def _people(self, txn: Transaction) -> dict[str, str | None]:
        """Source handle → the owner to store (None when they are not in the workspace and not added)."""
        report = self.report
        wanted = {record.owner for record in self.parsed.records if record.owner}
        result: dict[str, str | None] = {}
        for handle in sorted(wanted):
            if not is_handle(handle):
                result[handle] = None
                continue
            if txn.has_person(handle):
                result[handle] = handle
            elif self.add_people:
                report.added_people.append(handle)
                result[handle] = handle
            else:
                report.missing_people[handle] = self.parsed.people.get(handle, "")
                result[handle] = None
        return result

    # -- values -----------------------------------------------------------------------
    def _values(self, record: Record, settings: Settings, people: dict[str, str | None], today: date
                ) -> dict[str, Any] | None:
        """The stored values a record asks for (references are resolved later), or None without a title."""
        report = self.report

        def typed(name: str, raw: Any) -> Any:
            try:
                return coerce_field(name, raw, today=today)
            except BadValue as error:
                report.warnings.append(f"{record.where}: {error}; kept in the item's source fields")
                record.fields.setdefault(name, raw)
                return None

        try:
            title = coerce_field("title", record.title)
        except BadValue:
            return None
        status = ""
        if record.status:  # a name the source gave: mapped by --statuses, or a status of that name here
            wanted = record.status.strip().lower()
            status = self.statuses.get(wanted) or (wanted if wanted in settings.all_statuses else "")
        if not status:
            state = record.state
            if state == "todo" and record.snoozed_until and record.snoozed_until > today.isoformat():
                state = "inbox"  # waiting (Taskwarrior's wait, todo.txt's t:): hidden in the inbox until its day
            status = _status_for(state, settings)
        kind = record.kind if record.kind in ("goal", "project", "workstream", "task", "request", "recurring",
                                              "operation") else "task"
        rule = rule_start = None
        if kind == "recurring":
            try:
                start = date.fromisoformat(record.rule_start) if record.rule_start else today
                rule = parse_rule(record.rule or "", start).text
                rule_start = start.isoformat()
            except (BadValue, ValueError) as error:
                report.warnings.append(f"{record.where}: {error}; imported as a task")
                kind = "task"
        tags = []
        for tag in record.tags:
            if tag and is_handle(tag) and tag not in tags:
                tags.append(tag)
        body = record.body
        try:
            body = clean_text(body, limit=20_000, what="body")
        except BadValue:
            record.fields.setdefault("full_body", body)
            body = body[:19_999] + "…"
        why = record.why[:20_000]
        return {
            "title": title, "kind": kind, "status": status,
            "owner": people.get(record.owner) if record.owner else None,
            "due": typed("due", record.due) if record.due else None,
            "snoozed_until": typed("snoozed_until", record.snoozed_until) if record.snoozed_until else None,
            "tags": tags,
            "priority": record.priority if record.priority in (1, 2, 3, 4) else None,
            "body": body, "why": why,
            "checklist": [{"text": text[:500].replace("\n", " ").strip(), "done": bool(done)}
                          for text, done in record.checklist if text.strip()],
            "rule": rule, "rule_start": rule_start,
        }

    @staticmethod
    def _parent_loops(item_id: int, parent: int, parents: dict[int, Any]) -> bool:
        seen = {item_id}
        current: int | None = parent
        while current is not None:
            if current in seen:
                return True
            seen.add(current)
            current = parents.get(current)
        return False

    # -- writing ----------------------------------------------------------------------
    def _create(self, txn: Transaction, record: Record, want: dict[str, Any], ranks: dict[str, float],
                system: str) -> int:
        if self.dry_run:
            return -1 - len(self.report.created)
        doc: dict[str, Any] = {name: value for name, value in want.items() if same_value(value) is not None}
        status = want["status"]
        ranks[status] = ranks.get(status, 0.0) + 1.0
        log = []
        if want["why"]:
            log.append({"at": record.created_at or txn.now, "by": txn.actor, "text": want["why"], "kind": "why"})
        log += [self._note(txn, note) for note in record.notes]
        if log:
            doc["why_log"] = log
        if want["kind"] == "recurring" and want.get("rule_start"):
            doc["generate_from"] = max(want["rule_start"], txn.today.isoformat())
        if status == "declined":
            doc["decline_reason"] = f"closed in {system}"
        doc.update(created_at=record.created_at or txn.now, created_by=txn.actor, updated_at=txn.now,
                   updated_by=txn.actor, status_since=self._since(record, status, txn), rank=ranks[status],
                   source=self._source(record, {name: value_hash(want.get(name)) for name in MAPPED}, system))
        item_id = txn.add_item(doc)
        txn.record("create", item_id, {k: [None, v] for k, v in doc.items() if k not in _BOOKKEEPING},
                   f"imported #{item_id} {want['title'][:60]} from {system}")
        txn.entries[-1]["via"] = "import"
        return item_id

    def _update(self, txn: Transaction, item_id: int, record: Record, want: dict[str, Any], ranks: dict[str, float],
                current: dict[str, Any], system: str) -> list[str]:
        seen = _seen(current, record.key)
        hashes = {name: value_hash(want.get(name)) for name in MAPPED}
        changes: dict[str, list[Any]] = {}
        for name in MAPPED:
            if seen and seen.get(name, "") == hashes[name]:
                continue  # the source still says what it said last time: worktop's value stands
            value, old = want.get(name), current.get(name)
            if same_value(old) != same_value(value):
                changes[name] = [old, value]
        known = {(entry.get("at"), entry.get("text")) for entry in current.get("why_log") or []} \
            if record.notes else set()
        notes = [self._note(txn, note) for note in record.notes if (note.at, note.text) not in known]
        if self.dry_run:
            return [*changes, *(["notes"] if notes else [])]
        source = self._source(record, hashes, system)
        if not changes and not notes:
            if current.get("source") != source:
                txn.raw_item(item_id)["source"] = source  # stored with the next write; nothing to show for it
            return []
        doc = txn.raw_item(item_id)
        for name, (_old, value) in changes.items():
            if same_value(value) is None:
                doc.pop(name, None)
            else:
                doc[name] = value
        log = list(doc.get("why_log") or [])
        if "why" in changes:
            log.append({"at": txn.now, "by": txn.actor, "text": changes["why"][1] or "", "kind": "why"})
        if notes:
            log += notes
            changes["why_log"] = [None, f"{len(notes)} note{'s' if len(notes) != 1 else ''} from {system}"]
        if log:
            doc["why_log"] = log
        if "status" in changes:
            status = changes["status"][1]
            ranks[status] = ranks.get(status, 0.0) + 1.0
            doc["rank"] = ranks[status]
            doc["status_since"] = self._since(record, status, txn)
            if status == "declined" and not doc.get("decline_reason"):
                doc["decline_reason"] = f"closed in {system}"
        doc["source"] = source
        doc["updated_at"], doc["updated_by"] = txn.now, txn.actor
        txn.record("set", item_id, changes, f"import updated {', '.join(changes)} of #{item_id} from {system}")
        txn.entries[-1]["via"] = "import"
        return [name if name != "why_log" else "notes" for name in changes]

    @staticmethod
    def _note(txn: Transaction, note: Any) -> dict[str, Any]:
        return {"at": note.at, "by": note.by or txn.actor, "text": note.text[:20_000], "kind": "note"}

    def _since(self, record: Record, status: str, txn: Transaction) -> str:
        if status in CLOSED_STATUSES or status == self._done:
            return record.finished_at or txn.now
        return txn.now

    @staticmethod
    def _source(record: Record, hashes: dict[str, str], system: str) -> dict[str, Any]:
        source: dict[str, Any] = {"system": system, "id": record.key}
        if record.fields:
            source["fields"] = bounded(record.fields)
        source["seen"] = {name: digest for name, digest in hashes.items() if digest}
        return source


def _seen(doc: dict[str, Any], key: str) -> dict[str, str]:
    """The hashes of what the source said at the last import of this item (empty if it came from elsewhere)."""
    source = doc.get("source")
    if not isinstance(source, dict) or source.get("id") != key or not isinstance(source.get("seen"), dict):
        return {}
    seen: dict[str, str] = source["seen"]
    return seen


def _status_for(state: str, settings: Settings) -> str:
    """The workspace status for a record's state: its own inbox, first column, first in-progress column, …"""
    if state == "inbox":
        return settings.inbox
    if state == "done":
        return settings.done
    if state in CLOSED_STATUSES:
        return state
    board = settings.board_statuses
    if state == "started":
        in_progress = settings.statuses[2:-1]
        return in_progress[0] if in_progress else board[0]
    return board[0]


__all__ = ["MAPPED", "ImportItems", "ImportReport", "value_hash"]
