"""Triage (inbox) and bulk card actions (board): ask, build the operations, apply, move on.

The panes post what the person asked for (:class:`InboxPane.TriageRequested`,
:class:`Board.CardsAction`) with the marked items, else the one under the
cursor; the screen hands it to :class:`Triage`, which opens the prompt,
turns the answer into operations (data/writes/triage.py, the same operations the
CLI's accept/decline/dup/snooze use) and applies them in one write. Setting a
field keeps the cursor on the item; accepting, declining, marking a duplicate
or snoozing takes it out of the inbox, and the cursor is on the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from data.errors import BadValue, Conflict
from data.model.items import Item, coerce_field
from data.model.snapshot import Snapshot
from data.views.figures import open_load
from data.writes.ops import Operation
from data.writes.triage import (
    accept_ops,
    decline_ops,
    duplicate_ops,
    move_ops,
    parse_due,
    parse_reason,
    parse_snooze,
    parse_tag_edit,
    set_field_ops,
    snooze_ops,
    tag_ops,
)
from tui.triage_prompts import (
    DUE_WORDS,
    SNOOZE_WORDS,
    AcceptChoice,
    AcceptForm,
    ChoicePrompt,
    DuplicatePrompt,
    OwnerChoice,
    OwnerPrompt,
    Prompt,
    TextPrompt,
    date_preview,
    subject_text,
)
from widgets.board import Board
from widgets.inbox import InboxPane

if TYPE_CHECKING:
    from tui.app import WorktopApp
    from tui.main_screen import MainScreen

LEAVE_INBOX = frozenset({"accept", "decline", "duplicate", "snooze"})
"""Actions after which an inbox item is triaged (it leaves the inbox)."""

PRIORITIES = [(1, "p1 · highest"), (2, "p2"), (3, "p3"), (4, "p4 · lowest"), ("none", "none")]


class Triage:
    """The triage and bulk-action flows of one main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    @property
    def app(self) -> WorktopApp:
        return self.screen.app

    @property
    def snapshot(self) -> Snapshot:
        return self.app.snapshot or self.app.workspace.snapshot()

    # -- entry point ---------------------------------------------------------
    def start(self, action: str, item_ids: list[int], pane: str) -> None:
        """Ask for what ``action`` needs about ``item_ids``, then apply it (``pane``: inbox or board)."""
        if self.app.refuse_write():
            return
        if self.app.read_only:
            self.app.notify("This workspace is read-only for you: nothing can be changed", severity="error")
            return
        snapshot = self.snapshot
        items = [snapshot.items[i] for i in item_ids if i in snapshot.items]
        if len(items) < len(item_ids):
            gone = ", ".join(f"#{i}" for i in item_ids if i not in snapshot.items)
            self.app.notify(f"{gone} is no longer in the workspace; nothing was changed", severity="warning")
            return
        ask = getattr(self, f"_ask_{action}", None)
        if ask is None:
            raise ValueError(f"unknown triage action {action!r}")
        ask(items, pane)

    def _ask(self, prompt: Prompt, items: list[Item], pane: str, build: Callable[[Any], tuple[list[Operation], str]],
             action: str) -> None:
        """Open ``prompt``; with its answer, ``build`` makes the operations and the message; apply them."""
        def answered(value: object) -> None:
            if value is None:
                return
            try:
                ops, done = build(value)
            except BadValue as error:
                self.app.notify(str(error), severity="error")
                return
            self.apply(items, pane, ops, done, action)

        prompt.items = items
        self.app.push_screen(prompt, answered)

    # -- one prompt per action ---------------------------------------------------
    def _ask_accept(self, items: list[Item], pane: str) -> None:
        first = items[0]
        snapshot = self.snapshot
        form = AcceptForm(subject_text(items), column=snapshot.settings.board_statuses[0], people=snapshot.people,
                          me=self.app.workspace.actor, today=self.app.workspace.today, parse_due=parse_due,
                          parse_why=lambda text: coerce_field("why", text),
                          owner=first.owner or "" if len(items) == 1 else "",
                          due=first.due or "" if len(items) == 1 else "",
                          why=first.why if len(items) == 1 else "", load=open_load(snapshot))

        def build(choice: AcceptChoice) -> tuple[list[Operation], str]:
            owner = choice.owner.handle if choice.owner else None
            ops = accept_ops(items, owner=owner, due=choice.due, why=choice.why, people=snapshot.people)
            details = [f"owner {owner}" if owner else "no owner", f"due {choice.due}" if choice.due else "no due date"]
            return ops, f"Accepted {_ids(items)} → {snapshot.settings.board_statuses[0]} ({', '.join(details)})"

        self._ask(form, items, pane, build, "accept")

    def _ask_owner(self, items: list[Item], pane: str) -> None:
        snapshot = self.snapshot
        prompt = OwnerPrompt("Owner" if pane == "inbox" else "Assign to", subject_text(items), people=snapshot.people,
                             me=self.app.workspace.actor, load=open_load(snapshot))

        def build(choice: OwnerChoice) -> tuple[list[Operation], str]:
            ops = set_field_ops(items, "owner", choice.handle or "", people=snapshot.people)
            added = f" (added {choice.handle} to the people here)" if choice.is_new else ""
            return ops, f"{_ids(items)} owner: {choice.handle or 'nobody'}{added}"

        self._ask(prompt, items, pane, build, "owner")

    def _date_prompt(self, title: str, items: list[Item], parse: Callable[[str, date], str | None],
                     value: str = "", words: str = DUE_WORDS) -> TextPrompt:
        today = self.app.workspace.today
        return TextPrompt(title, subject_text(items), value=value, placeholder=words,
                          parse=lambda text: parse(text, today), preview=date_preview(parse, today, words),
                          replace=True)

    def _ask_due(self, items: list[Item], pane: str) -> None:
        prompt = self._date_prompt("Due", items, parse_due, items[0].due or "" if len(items) == 1 else "")
        self._ask(prompt, items, pane,
                  lambda due: (set_field_ops(items, "due", due or ""), f"{_ids(items)} due {due or 'none'}"), "due")

    def _ask_why(self, items: list[Item], pane: str) -> None:
        prompt = TextPrompt("Why does this matter?", subject_text(items), value=items[0].why if len(items) == 1 else "",
                            placeholder="a line; it goes to the why log too",
                            parse=lambda text: coerce_field("why", text))
        self._ask(prompt, items, pane, lambda why: (set_field_ops(items, "why", why), f"{_ids(items)} why set"), "why")

    def _ask_decline(self, items: list[Item], pane: str) -> None:
        prompt = TextPrompt("Decline: why will this not be done?", subject_text(items),
                            placeholder="a reason is required (the requester will read it)", parse=parse_reason)
        self._ask(prompt, items, pane,
                  lambda reason: (decline_ops(items, reason), f"Declined {_ids(items)}: {reason}"), "decline")

    def _ask_duplicate(self, items: list[Item], pane: str) -> None:
        prompt = DuplicatePrompt("Duplicate of…", subject_text(items), snapshot=self.snapshot, item_id=items[0].id)

        def build(of_id: int) -> tuple[list[Operation], str]:
            if of_id in {item.id for item in items}:
                raise BadValue("an item cannot be a duplicate of itself")
            return duplicate_ops(items, of_id), (f"Closed {_ids(items)} as a duplicate of #{of_id}; "
                                                 f"its requester and notes are in #{of_id}'s why log")

        self._ask(prompt, items, pane, build, "duplicate")

    def _ask_snooze(self, items: list[Item], pane: str) -> None:
        inbox = self.snapshot.settings.inbox
        prompt = self._date_prompt("Snooze until", items, parse_snooze, words=SNOOZE_WORDS)
        self._ask(prompt, items, pane,
                  lambda until: (snooze_ops(items, until, inbox=inbox),
                                 f"Snoozed {_ids(items)} until {until}: back in the inbox by itself then"), "snooze")

    def _ask_priority(self, items: list[Item], pane: str) -> None:
        prompt = ChoicePrompt("Priority", subject_text(items), PRIORITIES,
                              current=(items[0].priority or "none") if len(items) == 1 else 1)
        self._ask(prompt, items, pane, lambda level: (
            set_field_ops(items, "priority", "" if level == "none" else level),
            f"{_ids(items)} priority {level if level != 'none' else 'none'}"), "priority")

    def _ask_tags(self, items: list[Item], pane: str) -> None:
        have = sorted({tag for item in items for tag in item.tags})
        title = "Tags" + (f" (now: {', '.join(have)})" if have else "")
        prompt = TextPrompt(title, subject_text(items), placeholder="ops infra adds · -later removes",
                            parse=parse_tag_edit)
        self._ask(prompt, items, pane, lambda edit: (tag_ops(items, *edit), f"{_ids(items)} tags updated"), "tags")

    def _ask_move(self, items: list[Item], pane: str) -> None:
        settings = self.snapshot.settings
        statuses = [*settings.board_statuses, settings.inbox, "archived"]
        current = items[0].status if len(items) == 1 else None
        prompt = ChoicePrompt("Move to", subject_text(items), [(s, s) for s in statuses], current=current)
        self._ask(prompt, items, pane, lambda status: (move_ops(items, status), f"Moved {_ids(items)} to {status}"),
                  "move")

    # -- applying ---------------------------------------------------------------
    def apply(self, items: list[Item], pane: str, ops: list[Operation], done: str, action: str) -> None:
        """Apply in one write; say what happened (or who got there first); move the inbox cursor on."""
        ids = [item.id for item in items]
        inbox = self.screen.query_one(InboxPane)
        if pane == "inbox" and action in LEAVE_INBOX:
            inbox.triaged.update(ids)
        if not ops:
            self.app.notify("Nothing to change", timeout=3)
            return
        try:
            result = self.app.apply_ops(ops, raise_conflict=True)
        except Conflict as conflict:
            self.app.notify(conflict_message(conflict), title="Someone else got there first",
                            severity="warning", timeout=10)
            self.app.show(self.app.workspace.snapshot())
            return
        if result is None:
            return  # the error is on screen already
        self.app.notify(done if result.changed else "Nothing changed: it already held that", timeout=4)
        if pane == "inbox":
            inbox.list.clear_marks()
            # A field (owner, due, why, priority, tags) leaves the item in the inbox and the cursor on it,
            # so o, d, w fill one item's answers in a row and a then accepts it (the form holds them);
            # an action that triages it (accept, decline, duplicate, snooze) takes it out of the inbox,
            # and the cursor is then on the next one by itself.
            if len(ids) == 1:
                inbox.list.select_id(ids[0])
            inbox.list.focus()
        else:
            self.screen.query_one(Board).clear_marks()
            if len(ids) == 1:
                self.screen.query_one(Board).select_id(ids[0], focus=True)


def conflict_message(conflict: Conflict) -> str:
    """Say plainly that another terminal changed the item first."""
    if conflict.field == "status" and conflict.item_id is not None:
        state = {"archived": "archived", "declined": "declined"}.get(str(conflict.value), f"moved to {conflict.value}")
        return f"#{conflict.item_id} was {state} by {conflict.by} meanwhile; nothing was changed"
    return str(conflict)


def _ids(items: list[Item]) -> str:
    if len(items) <= 3:
        return ", ".join(f"#{item.id}" for item in items)
    return f"{len(items)} items"


__all__ = ["LEAVE_INBOX", "Triage", "conflict_message"]
