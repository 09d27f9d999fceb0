"""GitHub issues, as ``gh issue list --json number,title,body,state,labels,assignees,milestone,createdAt,closedAt,url``.

==============  ==============================================================
number + url    the key (``owner/repo#12``; the repository is read from the url,
                so issues of several repositories import side by side)
title, body     title, body
state           OPEN → the first board column; CLOSED → done (either case)
labels          tags (``good first issue`` → ``good-first-issue``)
assignees       owner: the first; the others are kept in the source fields
milestone       a project per milestone, holding its issues; its ``dueOn`` is the
                project's due date
createdAt       created at; closedAt: finished at
==============  ==============================================================

Add ``--state all`` (and a ``--limit``) to ``gh issue list`` for closed issues too.
"""

from __future__ import annotations

import re
from typing import Any

from data.interchange.records import (
    BadSource,
    Parsed,
    Record,
    day_of,
    fit_title,
    handle_for,
    load_json,
    stamp_of,
    tag_for,
)

SYSTEM = "github"

_URL = re.compile(r"https?://[^/]+/([^/]+/[^/]+)/(?:issues|pull)/(\d+)")


def looks_like(data: Any) -> bool:
    return (isinstance(data, list) and bool(data) and isinstance(data[0], dict)
            and "number" in data[0] and "title" in data[0])


def read(text: str, name: str) -> Parsed:
    data = load_json(text, name)
    if not isinstance(data, list):
        raise BadSource(f"{name}: not a list of issues; make it with `gh issue list --json number,title,body,state,"
                        "labels,assignees,milestone,createdAt,closedAt,url`")
    parsed = Parsed(SYSTEM)
    milestones: dict[str, Record] = {}
    for index, issue in enumerate(data, start=1):
        where = f"record {index}"
        if not isinstance(issue, dict) or not isinstance(issue.get("number"), int) or not isinstance(
                issue.get("title"), str):
            raise BadSource(f"{name} {where}: not a GitHub issue (no number and title); is this `gh issue list "
                            "--json …` output?")
        match = _URL.match(str(issue.get("url", "")))
        repo = match.group(1) if match else ""
        key = f"{repo}#{issue['number']}"
        title, spill = fit_title(issue["title"])
        record = Record(key=key, title=title, where=f"{where} ({key})")
        record.body = "\n\n".join(p for p in (spill, str(issue.get("body") or "").replace("\r\n", "\n")) if p)
        state = str(issue.get("state", "OPEN")).upper()
        record.state = "done" if state == "CLOSED" else "todo"
        record.created_at = stamp_of(issue.get("createdAt"))
        record.finished_at = stamp_of(issue.get("closedAt"))
        labels = [label.get("name", "") if isinstance(label, dict) else str(label) for label in issue.get("labels") or []]
        record.tags = [t for t in (tag_for(label) for label in labels) if t]
        assignees = [a for a in issue.get("assignees") or [] if isinstance(a, dict) and a.get("login")]
        if assignees:
            record.owner = handle_for(assignees[0]["login"])
            for person in assignees:
                parsed.people.setdefault(handle_for(person["login"]), str(person.get("name") or ""))
            if len(assignees) > 1:
                record.fields["assignees"] = [a["login"] for a in assignees]
        milestone = issue.get("milestone")
        if isinstance(milestone, dict) and milestone.get("title"):
            node_key = f"{repo} milestone {milestone.get('number', milestone['title'])}"
            if node_key not in milestones:
                node_title, _ = fit_title(str(milestone["title"]))
                milestones[node_key] = Record(key=node_key, title=node_title, kind="project",
                                              where=f"milestone {milestone['title']}",
                                              due=day_of(milestone.get("dueOn")),
                                              body=str(milestone.get("description") or ""))
            record.parent = node_key
        record.fields.update({k: v for k, v in issue.items() if k not in (
            "number", "title", "body", "state", "labels", "assignees", "milestone", "createdAt", "closedAt")})
        parsed.records.append(record)
    parsed.records[:0] = milestones.values()
    return parsed


__all__ = ["SYSTEM", "looks_like", "read"]
