"""A realistic sample workspace, for trying worktop and for measuring it.

:func:`make_demo` writes the TinyDB document directly (one atomic write) instead
of applying thousands of operations, so a 50k-item workspace takes about a
second. The result is an ordinary workspace: the same tables and fields that
``Workspace.create`` and the operations write, and a short history that only
claims changes the file really holds.

The content is deterministic for a given ``seed`` and ``today``: eight people
in three teams; goals with projects and workstreams under them and tasks under
those; requests in the inbox (a few with near-duplicate titles for duplicate
suggestion to find), some snoozed; recurring and operation items; due dates
behind and ahead of today; some work without an owner, a due date or a why;
checklists on most projects; tags, priorities, and statuses across the board.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypedDict

from data.errors import WorkspaceError
from data.model.items import DEFAULT_STATUSES
from data.store.file_store import FileStore
from data.store.layout import FORMAT, FORMAT_VERSION

PEOPLE = (
    # handle, name, team, share of the work, capacity relative to that share
    ("ana", "Ana Souza", "platform", 1.7, 0.8),
    ("bo", "Bo Lindqvist", "platform", 1.2, 1.3),
    ("chen", "Chen Wei", "platform", 1.0, 1.4),
    ("dara", "Dara Okafor", "product", 1.1, 1.2),
    ("eli", "Eli Navarro", "product", 0.9, 1.5),
    ("fay", "Fay Morgan", "product", 0.8, 1.4),
    ("gus", "Gus Petrov", "support", 1.0, 0.9),
    ("hana", "Hana Kato", "support", 0.6, 1.6),
)
"""Ana and Gus carry more than their capacity, so the ownership matrix has something to flag."""

REQUESTERS = ("sales.kim", "cfo", "helpdesk", "legal.amy", "marketing", "ops.raj", "cs.lee", "dara", "gus")


class GoalSpec(TypedDict):
    """A demo goal: its why and tags, the projects under it and what their tasks work on."""

    title: str
    why: str
    tags: tuple[str, ...]
    projects: tuple[str, ...]
    objects: tuple[str, ...]


GOALS: tuple[GoalSpec, ...] = (
    {
        "title": "Customers can self-serve billing",
        "why": "Billing questions are a third of support tickets; self-serve frees support for the hard cases.",
        "tags": ("billing", "customer"),
        "projects": ("Invoice history page", "Payment method update flow", "Refunds in the portal", "Billing emails revamp"),
        "objects": ("invoice PDF", "payment form", "refund flow", "tax display", "billing emails", "plan switcher",
                    "receipt download", "card update screen"),
    },
    {
        "title": "Halve incident response time",
        "why": "Two outages last quarter ran over an hour because nobody knew who was on call.",
        "tags": ("ops", "infra"),
        "projects": ("Alerting cleanup", "Runbooks for the top alerts", "On-call tooling", "Reliability workstream"),
        "objects": ("pager rules", "runbook", "alert thresholds", "status page", "log retention", "dashboards",
                    "escalation policy", "health checks"),
    },
    {
        "title": "Ship the mobile app v2",
        "why": "Half of sign-ups now come from phones and the v1 app rates 2.9 stars.",
        "tags": ("mobile", "ui"),
        "projects": ("Offline mode", "New onboarding screens", "Push notifications", "App store release"),
        "objects": ("login screen", "sync engine", "push settings", "crash reporting", "deep links", "image cache",
                    "onboarding copy", "release notes"),
    },
    {
        "title": "Pass the SOC 2 audit",
        "why": "Three enterprise deals are waiting on the report; the auditors arrive in the autumn.",
        "tags": ("security", "compliance"),
        "projects": ("Access reviews", "Vendor risk register", "Security training", "Evidence collection"),
        "objects": ("access review", "vendor list", "backup policy", "MFA rollout", "laptop encryption",
                    "incident policy", "audit evidence", "password manager"),
    },
    {
        "title": "New hires productive in their first week",
        "why": "Onboarding takes three weeks today and every new hire asks the same twenty questions.",
        "tags": ("docs", "hiring"),
        "projects": ("Onboarding guide", "Dev environment in one command", "Buddy programme"),
        "objects": ("setup script", "onboarding guide", "architecture overview", "first-week checklist",
                    "team wiki", "laptop image"),
    },
    {
        "title": "Cut cloud spend by 20%",
        "why": "Cloud costs grew 60% this year while traffic grew 15%.",
        "tags": ("infra", "cost"),
        "projects": ("Rightsize databases", "Storage lifecycle rules", "Cost dashboards"),
        "objects": ("database instances", "S3 lifecycle rules", "idle VMs", "CDN caching", "cost report",
                    "reserved instances"),
    },
)

GOAL_VARIANTS = ("", " — EU", " — US", " — APAC", " — enterprise", " — H2", " — self-hosted", " — partners")

VERBS = ("Fix", "Update", "Write tests for", "Review", "Document", "Design", "Migrate", "Remove", "Speed up",
         "Add metrics to", "Refactor", "Audit", "Prototype", "Clean up", "Translate")
QUALIFIERS = ("", "", "", "", " for iOS", " on staging", " (phase 2)", " before launch", " in the EU region",
              " for enterprise plans", " after the migration")

DUPLICATE_PAIRS = (
    ("Export invoices to CSV", "Export invoices as a CSV file"),
    ("VPN drops every hour", "VPN keeps disconnecting every hour"),
    ("Add dark mode to the dashboard", "Dark mode for the dashboard please"),
    ("Password reset email never arrives", "Password reset emails are not arriving"),
    ("Give sales access to the usage report", "Sales team needs access to the usage report"),
    ("Laptop for the new hire starting Monday", "New laptop needed for Monday's new hire"),
)
SINGLE_REQUESTS = (
    "Bulk-edit tags on many items", "Slack alert when a deal closes", "Raise the API rate limit for Acme",
    "Fix the typo on the pricing page", "SSO for the analytics tool", "Quarterly access review for finance",
    "Renew the SSL certificate for the blog", "Add Spanish to the help centre", "Weekly churn numbers by email",
    "Old invoices missing the VAT number", "Move the team offsite doc to the wiki", "Customer asks for an audit log",
)
CUSTOMERS = ("", "", " (Acme)", " (Globex)", " (Initech)", " (Umbrella)", " (Hooli)", " (Stark)")
REQUEST_BODY = (
    "Came in through the help desk; the customer is waiting on an answer.",
    "Asked in the weekly sync. Not urgent, but it keeps coming up.",
    "Needed before the end of the month for the board pack.",
    "Two customers asked for this on calls this week.",
    "",
)
RECURRING = ("Weekly: rotate on-call", "Monthly: patch the servers", "Weekly: triage the inbox",
             "Monthly: review cloud costs", "Quarterly: access review")
OPERATIONS = ("On-call rotation", "Dependency updates", "Customer escalations", "Backup restore drills",
              "Release management")
NOTES = ("Agreed in planning on Monday.", "Customer escalated again today.", "Blocked on the vendor until next week.",
         "Scope cut: the export part moves to phase 2.", "Legal signed off.", "See the incident review for details.")
STEPS = ("Write the one-page plan", "Agree scope with the requester", "Build it behind a flag", "Test on staging",
         "Update the docs", "Announce in #general", "Remove the flag", "Check the metrics a week later")
EXTRA_WHYS = ("Customers keep asking for it.", "It blocks the release.", "The old way costs us an hour a day.",
              "Needed for the audit.", "Support spends too long on this.")


def make_demo(path: str | Path, *, items: int = 400, seed: int = 1, today: date | None = None,
              actor: str = "demo") -> Path:
    """Write a new demo workspace at ``path`` and return its absolute path.

    Args:
        path: where to write; must not exist yet (nothing is ever overwritten).
        items: about how many items to make (at least 40 are made).
        seed: makes a different but equally shaped workspace.
        today: the day due dates and timestamps are arranged around.
        actor: who the history says made the workspace.

    Raises:
        WorkspaceError: the file exists or its folder does not.
    """
    target = Path(path).expanduser().absolute()
    if target.exists():
        raise WorkspaceError(f"{target} already exists; nothing was written")
    if not target.parent.is_dir():
        raise WorkspaceError(f"folder {target.parent} does not exist")
    data = build_demo(items=items, seed=seed, today=today or date.today(), actor=actor, name=target.parent.name)
    history = sorted(data["history"].values(), key=lambda entry: entry["rev"])
    FileStore.create(target, data["meta"]["1"], data["people"], data["items"], history)
    # The recurring instances due up to the horizon are made now, as the app would on first opening it: a
    # fresh demo opens without writing (nothing is due that is not made), as a workspace in use does.
    from data.writes.recurrence import GenerateInstances
    from data.writes.workspace import Workspace

    Workspace(target, actor=actor, today=today).apply(GenerateInstances())
    return target


def build_demo(*, items: int, seed: int, today: date, actor: str = "demo", name: str = "demo") -> dict[str, Any]:
    """The demo workspace as the TinyDB document :func:`make_demo` writes."""
    return _DemoBuilder(max(40, items), random.Random(seed), today, actor, name or "demo").build()


class _DemoBuilder:
    """Builds the tables; one instance per demo."""

    def __init__(self, count: int, rng: random.Random, today: date, actor: str, name: str) -> None:
        self.count = count
        self.rng = rng
        self.today = today
        self.actor = actor
        self.name = name
        self.start = datetime.combine(today, time(9, 0))
        self.items: dict[str, dict[str, Any]] = {}
        self.handles = [p[0] for p in PEOPLE]
        self.weights = [p[3] for p in PEOPLE]
        self.ranks: dict[str, float] = {}

    # -- small helpers -------------------------------------------------------
    def stamp(self, days_ago: float) -> str:
        moment = self.start - timedelta(days=days_ago)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def day(self, offset: int) -> str:
        return (self.today + timedelta(days=offset)).isoformat()

    def person(self) -> str:
        return self.rng.choices(self.handles, self.weights)[0]

    def add(self, doc: dict[str, Any]) -> int:
        item_id = len(self.items) + 1
        status = doc["status"]
        rank = self.ranks.get(status, 0.0) + 1.0
        self.ranks[status] = rank
        doc["rank"] = rank
        self.items[str(item_id)] = doc
        return item_id

    def base(self, kind: str, title: str, status: str, age: float, creator: str | None = None) -> dict[str, Any]:
        """A new item document with bookkeeping fields set consistently."""
        rng = self.rng
        created = self.stamp(age)
        since_age = age * rng.random() if status not in ("inbox", "todo") else age
        since = self.stamp(since_age)
        by = creator or self.person()
        return {"kind": kind, "title": title, "status": status, "created_at": created, "created_by": by,
                "updated_at": since, "updated_by": by, "status_since": since}

    def set_why(self, doc: dict[str, Any], why: str, notes: int = 0) -> None:
        doc["why"] = why
        log = [{"at": doc["created_at"], "by": doc["created_by"], "text": why, "kind": "why"}]
        for _ in range(notes):
            log.append({"at": doc["updated_at"], "by": self.person(), "text": self.rng.choice(NOTES), "kind": "note"})
        doc["why_log"] = log

    def tag(self, doc: dict[str, Any], pool: tuple[str, ...]) -> None:
        rng = self.rng
        count = rng.choices((0, 1, 2), (0.3, 0.5, 0.2))[0]
        tags = rng.sample(pool, min(count, len(pool)))
        if rng.random() < 0.08:
            tags.append("customer-facing")
        if tags:
            doc["tags"] = tags

    def maybe_priority(self, doc: dict[str, Any]) -> None:
        if self.rng.random() < 0.6:
            doc["priority"] = self.rng.choices((1, 2, 3, 4), (0.1, 0.3, 0.4, 0.2))[0]

    def checklist(self, doc: dict[str, Any], low: int, high: int, done_share: float) -> None:
        steps = self.rng.sample(STEPS, self.rng.randint(low, high))
        doc["checklist"] = [{"text": text, "done": self.rng.random() < done_share} for text in steps]

    # -- the workspace -------------------------------------------------------
    def build(self) -> dict[str, Any]:
        count, rng = self.count, self.rng
        n_goals = max(3, round(count * 0.008))
        n_projects = max(8, round(count * 0.05))
        n_recurring = max(2, round(count * 0.01))
        n_operations = max(2, round(count * 0.01))
        n_requests = max(12, round(count * 0.12))
        # The last item is a request already closed as a duplicate (see make_requests).
        n_tasks = max(0, count - n_goals - n_projects - n_recurring - n_operations - n_requests - 1)

        goals = [self.make_goal(i) for i in range(n_goals)]
        projects = [self.make_project(i, goals) for i in range(n_projects)]
        for i in range(n_operations):
            self.make_ongoing("operation", OPERATIONS[i % len(OPERATIONS)], i // len(OPERATIONS))
        for i in range(n_recurring):
            self.make_ongoing("recurring", RECURRING[i % len(RECURRING)], i // len(RECURRING))
        n_tasks = max(0, n_tasks - self.instances_due())  # made by make_demo, so the total is what was asked
        for _ in range(n_tasks):
            self.make_task(rng.choice(projects), goals)
        self.make_requests(n_requests)
        return self.document()

    def make_goal(self, index: int) -> tuple[int, GoalSpec, str]:
        spec = GOALS[index % len(GOALS)]
        round_ = index // len(GOALS)
        suffix = GOAL_VARIANTS[round_ % len(GOAL_VARIANTS)]
        if round_ >= len(GOAL_VARIANTS):
            suffix += f" {round_ // len(GOAL_VARIANTS) + 1}"
        doc = self.base("goal", spec["title"] + suffix, "doing", age=self.rng.uniform(60, 120))
        doc["owner"] = self.rng.choice(("ana", "dara", "gus"))
        self.set_why(doc, spec["why"], notes=1 if index % 2 else 0)
        doc["due"] = self.day(self.rng.choice((45, 75, 120)))
        doc["tags"] = list(spec["tags"][:1])
        return self.add(doc), spec, suffix

    def make_project(self, index: int, goals: list[tuple[int, GoalSpec, str]]) -> tuple[int, GoalSpec]:
        goal_id, spec, suffix = goals[index % len(goals)]
        rng = self.rng
        names = spec["projects"]
        nth = index // len(goals)  # this goal's nth project
        title = names[nth % len(names)] + suffix
        if nth >= len(names):
            title += f" (phase {nth // len(names) + 1})"
        kind = "workstream" if "workstream" in title.lower() or rng.random() < 0.3 else "project"
        status = rng.choices(("todo", "doing", "done"), (0.3, 0.55, 0.15))[0]
        doc = self.base(kind, title, status, age=rng.uniform(20, 90))
        doc["parent"] = goal_id
        if rng.random() < 0.9:
            doc["owner"] = self.person()
        if rng.random() < 0.5:
            self.set_why(doc, rng.choice(EXTRA_WHYS), notes=rng.choice((0, 0, 1, 2)))
        if kind == "project" and rng.random() < 0.85:
            doc["due"] = self.day(rng.randint(-5, 90) if status != "done" else -rng.randint(1, 30))
        if rng.random() < 0.8:
            self.checklist(doc, 3, 6, 0.9 if status == "done" else 0.35)
        roles = {h: rng.choice("RCI") for h in rng.sample(self.handles, rng.randint(0, 3)) if h != doc.get("owner")}
        if roles:
            doc["roles"] = roles
        doc["body"] = f"Part of “{self.items[str(goal_id)]['title']}”."
        self.tag(doc, spec["tags"])
        self.maybe_priority(doc)
        return self.add(doc), spec

    def instances_due(self) -> int:
        """How many instances the recurring templates give up to the horizon (make_demo makes them)."""
        from data.model.rules import parse_rule
        from data.writes.recurrence import DEFAULT_HORIZON_DAYS, MAX_PER_RUN

        until = self.today + timedelta(days=DEFAULT_HORIZON_DAYS)
        due = 0
        for doc in self.items.values():
            if doc.get("kind") == "recurring" and doc.get("rule"):
                rule = parse_rule(doc["rule"], date.fromisoformat(doc["rule_start"]))
                due += len(rule.dates(date.fromisoformat(doc["generate_from"]), until, limit=MAX_PER_RUN))
        return due

    def make_ongoing(self, kind: str, title: str, round_: int) -> None:
        if round_:
            title = f"{title} ({PEOPLE[round_ % len(PEOPLE)][2]})"
        doc = self.base(kind, title, "doing" if kind == "operation" else "todo", age=self.rng.uniform(30, 200))
        doc["owner"] = self.person()
        if self.rng.random() < 0.7:
            self.set_why(doc, "Keeps the lights on; skipping it caused the March outage.")
        if kind == "recurring":
            doc["body"] = "A template: each time it comes round, worktop makes a task from it."
            # A rule, so `worktop recurring --generate` (and the app on start) makes its instances.
            doc["rule"] = {"Weekly": "every monday", "Monthly": "monthly on the 1st"}.get(title.split(":")[0], "quarterly")
            doc["rule_start"] = doc["generate_from"] = self.day(0)
        doc["tags"] = ["ops"]
        self.add(doc)

    def make_task(self, project: tuple[int, GoalSpec], goals: list[tuple[int, GoalSpec, str]]) -> None:
        rng = self.rng
        project_id, spec = project
        title = f"{rng.choice(VERBS)} {rng.choice(spec['objects'])}{rng.choice(QUALIFIERS)}"
        status = rng.choices(("inbox", "todo", "doing", "review", "done", "declined", "archived"),
                             (0.03, 0.40, 0.06, 0.03, 0.44, 0.01, 0.03))[0]
        open_ = status not in ("done", "declined", "archived")
        age = rng.uniform(1, 40) if open_ else rng.uniform(5, 120)
        doc = self.base("task", title, status, age=age)
        orphan = rng.random() < 0.05
        if not orphan:
            doc["parent"] = project_id
        elif rng.random() < 0.3:
            doc["goal"] = rng.choice(goals)[0]
        if status != "inbox" and rng.random() < 0.88:
            doc["owner"] = self.person()
        if rng.random() < 0.75 and status != "inbox":
            doc["due"] = self.day(rng.randint(-15, 40) if open_ else -rng.randint(1, 60))
        if rng.random() < (0.5 if orphan else 0.12):
            self.set_why(doc, rng.choice(EXTRA_WHYS), notes=1 if rng.random() < 0.15 else 0)
        if rng.random() < 0.25:
            self.checklist(doc, 2, 4, 1.0 if status == "done" else 0.4)
        if status == "declined":
            doc["decline_reason"] = "Not worth it now; revisit next quarter."
        self.tag(doc, spec["tags"])
        self.maybe_priority(doc)
        self.add(doc)

    def make_requests(self, n_requests: int) -> None:
        rng = self.rng
        titles: list[str] = []
        for first, second in DUPLICATE_PAIRS:
            titles += [first, second]
        for index in range(max(0, n_requests - len(titles))):
            base = SINGLE_REQUESTS[index % len(SINGLE_REQUESTS)]
            titles.append(base + CUSTOMERS[(index // len(SINGLE_REQUESTS)) % len(CUSTOMERS)])
        first_of_pair: dict[str, int] = {}
        waiting = 0
        for index, title in enumerate(titles[:max(n_requests, len(titles))]):
            paired = index < len(DUPLICATE_PAIRS) * 2
            if paired or rng.random() < 0.55:
                status = "inbox"
            else:
                status = rng.choices(("todo", "doing", "done", "declined"), (0.45, 0.2, 0.25, 0.1))[0]
            doc = self.base("request", title, status, age=rng.uniform(0.1, 20 if status == "inbox" else 60))
            doc["requester"] = rng.choice(REQUESTERS)
            body = rng.choice(REQUEST_BODY)
            if body:
                doc["body"] = body
            if status != "inbox":
                doc["owner"] = self.person()
                if rng.random() < 0.7:
                    doc["due"] = self.day(rng.randint(-5, 25))
                if rng.random() < 0.6:
                    self.set_why(doc, f"Asked for by {doc['requester']}: {rng.choice(EXTRA_WHYS).lower()}")
            elif not paired:
                waiting += 1
                if waiting % 8 == 3:  # one in eight, so even a small demo has something snoozed
                    doc["snoozed_until"] = self.day(rng.randint(2, 14))
            if status == "declined":
                doc["decline_reason"] = "Out of scope for this team; pointed them to IT."
            item_id = self.add(doc)
            if paired and index % 2 == 0:
                first_of_pair[title] = item_id
        # One duplicate already closed, as `worktop dup` leaves it.
        original = next(iter(first_of_pair.values()))
        doc = self.base("request", DUPLICATE_PAIRS[0][0] + " for accounting", "declined", age=3)
        doc.update(requester="cfo", duplicate_of=original, decline_reason=f"duplicate of #{original}")
        self.add(doc)

    # -- people, meta, history ----------------------------------------------
    def document(self) -> dict[str, Any]:
        loads = dict.fromkeys(self.handles, 0)
        for doc in self.items.values():
            owner = doc.get("owner")
            if owner in loads and doc["kind"] != "goal" and doc["status"] not in ("done", "declined", "archived"):
                loads[owner] += 1
        people = {}
        for index, (handle, name, team, _share, capacity_ratio) in enumerate(PEOPLE, start=1):
            people[str(index)] = {"handle": handle, "name": name, "team": team,
                                  "capacity": max(2, round(loads[handle] * capacity_ratio))}
        counts = {status: 0 for status in DEFAULT_STATUSES}
        for doc in self.items.values():
            if doc["status"] in counts:
                counts[doc["status"]] += 1
        history = self.history()
        revision = len(history)
        now = history[str(revision)]["at"]
        last = history[str(revision)]
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "revision": revision,
            "statuses": list(DEFAULT_STATUSES),
            # Room for a couple more cards, so moving a few shows the WIP warning.
            "wip": {"doing": counts["doing"] + 2, "review": counts["review"] + 1},
            "wip_blocks": False,
            "created_at": self.began(),
            "last_change": {"revision": revision, "by": last["by"], "at": now, "summary": last["summary"]},
        }
        return {"meta": {"1": meta}, "items": self.items, "people": people, "history": history}

    def began(self) -> str:
        """When the workspace's story starts: the oldest item's creation."""
        return min(str(doc["created_at"]) for doc in self.items.values())

    def history(self) -> dict[str, dict[str, Any]]:
        """A ``demo`` entry, then the last few days' status moves the items really show."""
        entries: list[dict[str, Any]] = [{
            "at": self.began(), "by": self.actor, "op": "demo", "item": None, "changes": {},
            "summary": f"made a demo workspace with {len(self.items)} items",
        }]
        earlier = {"doing": "todo", "review": "doing", "done": "review"}
        cutoff = self.stamp(7)
        moves = []
        for key, doc in self.items.items():
            status = doc["status"]
            if status in earlier and doc["kind"] != "goal" and doc["status_since"] > cutoff:
                moves.append((doc["status_since"], int(key), doc))
        moves.sort(key=lambda move: (move[0], move[1]))
        for at, item_id, doc in moves[-200:]:
            doc["updated_at"], doc["updated_by"] = at, doc.get("owner") or doc["created_by"]
            summary = f"finished #{item_id}" if doc["status"] == "done" else f"moved #{item_id} to {doc['status']}"
            entries.append({"at": at, "by": doc["updated_by"], "op": "move", "item": item_id,
                            "changes": {"status": [earlier[doc["status"]], doc["status"]]}, "summary": summary})
        return {str(rev): dict(entry, rev=rev) for rev, entry in enumerate(entries, start=1)}


__all__ = ["build_demo", "make_demo"]
