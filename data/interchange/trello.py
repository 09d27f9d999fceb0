"""Trello: a board's JSON export (board menu → Print, export and share → Export as JSON).

===================  ============================================================
card ``id``          the key a re-import finds the item by
``name``, ``desc``   title, body
``idList``           a status: the list's name when the workspace has a status of
                     that name (``--statuses 'Backlog=todo,QA=review'`` maps others);
                     else To Do / Backlog → the first column, Doing / In Progress →
                     in progress, Done → done; any other list → the first column
``closed``           archived (a card, or every card of a closed list)
checklists           steps, each done or not
``labels``           tags (a label without a name is its colour)
``idMembers``        owner: the first member (their username); the rest are kept
``due``              the due date; ``dueComplete`` on an open card marks it done
actions              ``commentCard``: why-log notes with their dates and authors
===================  ============================================================
"""

from __future__ import annotations

from typing import Any

from data.interchange.records import (
    BadSource,
    Note,
    Parsed,
    Record,
    day_of,
    fit_title,
    handle_for,
    load_json,
    stamp_of,
    tag_for,
)

SYSTEM = "trello"

_LIST_STATES = {"to do": "todo", "todo": "todo", "backlog": "todo", "next": "todo", "doing": "started",
                "in progress": "started", "in review": "started", "review": "started", "done": "done",
                "complete": "done", "completed": "done", "inbox": "inbox", "ideas": "inbox"}


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("cards"), list) and isinstance(data.get("lists"), list)


def read(text: str, name: str) -> Parsed:
    board = load_json(text, name)
    if not looks_like(board):
        raise BadSource(f"{name}: not a Trello board export (no lists and cards at the top)")
    parsed = Parsed(SYSTEM)
    lists = {str(lst.get("id")): lst for lst in board["lists"] if isinstance(lst, dict)}
    members = {str(m.get("id")): m for m in board.get("members") or [] if isinstance(m, dict)}
    checklists: dict[str, list[dict[str, Any]]] = {}
    for checklist in board.get("checklists") or []:
        if isinstance(checklist, dict):
            checklists.setdefault(str(checklist.get("idCard")), []).append(checklist)
    comments: dict[str, list[Note]] = {}
    for action in board.get("actions") or []:
        if not isinstance(action, dict) or action.get("type") != "commentCard":
            continue
        data = action.get("data") or {}
        card = (data.get("card") or {}).get("id")
        text_value = data.get("text")
        if not card or not isinstance(text_value, str):
            continue
        author = (action.get("memberCreator") or {}).get("username") or members.get(
            str(action.get("idMemberCreator")), {}).get("username")
        comments.setdefault(str(card), []).append(
            Note(stamp_of(action.get("date")) or "", text_value, handle_for(author) if author else None))
    unknown_lists: set[str] = set()
    for index, card in enumerate(board["cards"], start=1):
        if not isinstance(card, dict) or not isinstance(card.get("id"), str) or not isinstance(card.get("name"), str):
            raise BadSource(f"{name} card {index}: no id and name; is this a Trello board export?")
        title, spill = fit_title(card["name"])
        record = Record(key=card["id"], title=title, where=f"card {index} ({card['name'][:40]})")
        record.body = "\n\n".join(p for p in (spill, str(card.get("desc") or "")) if p)
        lst = lists.get(str(card.get("idList")), {})
        list_name = str(lst.get("name", "")).strip()
        record.status = list_name
        state = _LIST_STATES.get(list_name.lower())
        if state is None and list_name and not lst.get("closed"):
            unknown_lists.add(list_name)
        record.state = state or "todo"
        if card.get("dueComplete") and record.state != "done":
            record.state, record.status = "done", ""
        if card.get("closed") or lst.get("closed"):
            record.state, record.status = "archived", ""
            record.finished_at = stamp_of(card.get("dateLastActivity"))
        record.due = day_of(card.get("due"))
        labels = [label.get("name") or label.get("color") or "" for label in card.get("labels") or []
                  if isinstance(label, dict)]
        record.tags = [t for t in (tag_for(label) for label in labels) if t]
        people = [members[m] for m in card.get("idMembers") or [] if m in members and members[m].get("username")]
        if people:
            record.owner = handle_for(people[0]["username"])
            for person in people:
                parsed.people.setdefault(handle_for(person["username"]), str(person.get("fullName") or ""))
            if len(people) > 1:
                record.fields["members"] = [p["username"] for p in people]
        for checklist in sorted(checklists.get(card["id"], []), key=lambda c: c.get("pos") or 0):
            for item in sorted(checklist.get("checkItems") or [], key=lambda i: i.get("pos") or 0):
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    record.checklist.append((item["name"], item.get("state") == "complete"))
        record.notes = sorted(comments.get(card["id"], []), key=lambda n: n.at)
        for note in record.notes:
            if note.by:
                parsed.people.setdefault(note.by, "")
        record.fields.update({k: card[k] for k in ("url", "shortUrl", "idShort") if k in card})
        if list_name:
            record.fields["list"] = list_name
        parsed.records.append(record)
    for list_name in sorted(unknown_lists):
        parsed.notes.append(f"list {list_name!r}: its cards go to a status of that name if the workspace has one, "
                            f"else the first column (--statuses '{list_name}=STATUS' chooses)")
    return parsed


__all__ = ["SYSTEM", "looks_like", "read"]
