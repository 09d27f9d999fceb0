"""The item editor: every field, validated as the CLI validates, errors in place."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from data.errors import BadValue, Conflict, WorkspaceError
from data.model.items import KINDS, Item, coerce_field
from data.model.snapshot import Snapshot
from data.writes.checks import clean_step
from data.writes.ops import CreateItem, Move, SetFields
from data.writes.steps import SetSteps
from tui.conflict import APPLY_MINE, KEEP_THEIRS, Clash, ConflictScreen, find_clashes
from tui.typed import DiscardGuard, after_typed_keys
from widgets.cards import safe
from widgets.keys import bindings
from widgets.safe_text import SafeInput
from widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from tui.app import WorktopApp

TEXT_FIELDS = ("title", "owner", "due", "parent", "goal", "blocked_by", "tags", "priority", "requester",
               "snoozed_until")
AREA_FIELDS = ("why", "checklist", "body")
FIELD_ORDER = ("title", "kind", "status", "owner", "due", "why", "checklist", "parent", "goal", "blocked_by", "tags",
               "priority", "requester", "snoozed_until", "body")
"""Form order: the five answers first (what, who, when, why, how), then the rest."""
LABELS = {"checklist": "steps (how)", "snoozed_until": "snoozed until", "blocked_by": "blocked by"}
HINTS = {
    "title": "what: one line",
    "owner": "who: a handle",
    "due": "when: today, fri, +3d, 2026-12-01",
    "parent": "item id, e.g. 12",
    "goal": "goal id this serves",
    "blocked_by": "ids it waits on, e.g. 15 16",
    "tags": "ops, infra",
    "priority": "1 (highest) to 4",
    "requester": "who asked",
    "snoozed_until": "hide from inbox until",
}


def stored_to_text(name: str, value: Any) -> str:
    """A stored value as the editor shows it (the inverse of :func:`text_to_stored`)."""
    if value in (None, "", []):
        return ""
    if name in ("tags", "blocked_by"):
        return ", ".join(map(str, value))
    if name == "checklist":
        return "\n".join(f"[{'x' if step.get('done') else ' '}] {step.get('text', '')}" for step in value)
    return str(value)


def text_to_stored(name: str, text: Any, today: Any) -> Any:
    """What the form holds as the stored value (``coerce_field``, and steps: one a line, ``[x]`` when done)."""
    if name != "checklist":
        return coerce_field(name, text, today=today)
    steps = []
    for number, line in enumerate(str(text).splitlines(), start=1):
        line = line.strip()
        done = line[:3].lower() == "[x]"
        if line[:3].lower() in ("[x]", "[ ]"):
            line = line[3:]
        elif line.startswith(("- ", "* ")):
            line = line[2:]
        if not line.strip():
            continue
        try:
            steps.append({"text": clean_step(line), "done": done})
        except BadValue as bad:
            raise BadValue(f"step {number}: {bad}") from None
    return steps


class EditorBox(VerticalScroll, can_focus=False):
    """The form's box: scrolls on a short terminal, but is not a stop for tab (the title field is first)."""


class ItemEditor(DiscardGuard, ModalScreen[int | None]):
    """Edit an item (or create one when ``item`` is None); dismisses with its id."""

    app: WorktopApp

    BINDINGS: ClassVar[list[BindingType]] = bindings("editor")

    def __init__(self, item: Item | None, snapshot: Snapshot, *, parent: int | None = None) -> None:
        super().__init__()
        self.item = item
        self.snapshot = snapshot
        self.parent_id = parent
        self.original: dict[str, Any] = {}
        if item is not None:
            for name in (*TEXT_FIELDS, *AREA_FIELDS, "kind", "status"):
                value = getattr(item, name)
                self.original[name] = [dict(step) for step in value] if name == "checklist" else value
        self._shown: dict[str, Any] = {}
        """The form's typed values as last filled in (by opening, or by merging others' changes)."""

    # -- layout ---------------------------------------------------------------
    def compose(self) -> ComposeResult:
        item = self.item
        settings = self.snapshot.settings
        title = f"Edit #{item.id}" if item else "New item"
        with EditorBox(id="editor"):
            # The keys in the title line: on a small terminal the buttons are below the fold.
            yield Static(Text.assemble((title, "bold"), ("   ctrl+s saves · esc cancels · tab next field", "dim")),
                         id="editor-title")
            yield Static("", id="editor-notice")
            with Grid(id="editor-grid"):
                for name in FIELD_ORDER:
                    yield Label(LABELS.get(name, name.replace("_", " ")))
                    if name == "kind":
                        yield Select([(k, k) for k in KINDS], value=item.kind if item else "task", allow_blank=False,
                                     id="f-kind", compact=True)
                    elif name == "status":
                        yield Select([(s, s) for s in settings.all_statuses],
                                     value=item.status if item else settings.board_statuses[0], allow_blank=False,
                                     id="f-status", compact=True)
                    else:
                        with Horizontal(classes="field"):
                            yield from self._field(name)
            with Horizontal(id="editor-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def _field(self, name: str) -> ComposeResult:
        item = self.item
        if name in AREA_FIELDS:
            text = stored_to_text(name, getattr(item, name)) if item else ""
            yield SafeTextArea(text, id=f"f-{name}", soft_wrap=True, classes=f"area-{name}", compact=True)
        else:
            value = stored_to_text(name, getattr(item, name)) if item else ""
            if name == "parent" and not item and self.parent_id:
                value = str(self.parent_id)
            suggester = None
            if name in ("owner", "requester"):
                suggester = SuggestFromList(sorted(self.snapshot.people), case_sensitive=False)
            # Not selected on focus: the first key typed would replace the whole value.
            yield SafeInput(value=value, placeholder=HINTS.get(name, ""), id=f"f-{name}", suggester=suggester,
                            compact=True, select_on_focus=False)
        yield Static("", classes="error", id=f"e-{name}")

    def on_mount(self) -> None:
        title = self.query_one("#f-title", Input)
        title.focus()
        title.cursor_position = len(title.value)
        self._shown = self._typed()

    # -- reading the form -------------------------------------------------------
    def _typed(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in TEXT_FIELDS:
            values[name] = self.query_one(f"#f-{name}", SafeInput).stored
        for name in AREA_FIELDS:
            values[name] = self.query_one(f"#f-{name}", SafeTextArea).stored
        values["kind"] = self.query_one("#f-kind", Select).value
        values["status"] = self.query_one("#f-status", Select).value
        return values

    def _validate(self) -> dict[str, Any] | None:
        """Stored values for every field, or None after marking the bad ones."""
        ok = True
        result: dict[str, Any] = {}
        typed = self._typed()
        for name, raw in typed.items():
            if name == "status":
                result[name] = raw
                continue
            error = ""
            try:
                result[name] = text_to_stored(name, raw, self.app.workspace.today)
                if name == "owner" and result[name] and result[name] not in self.snapshot.people:
                    raise BadValue(f"unknown person {result[name]!r}; known: {', '.join(sorted(self.snapshot.people))}")
            except BadValue as bad:
                error, ok = str(bad), False
            if name in (*TEXT_FIELDS, *AREA_FIELDS):
                widget = self.query_one(f"#e-{name}", Static)
                widget.update(Text(safe(error)))
                widget.set_class(bool(error), "-shown")
        return result if ok else None

    # -- saving ---------------------------------------------------------------
    def action_save(self) -> None:
        after_typed_keys(self, self._save_typed)  # ctrl+s is a priority key: the typing before it lands first

    def _save_typed(self) -> None:
        values = self._validate()
        if values is None:
            self.notify("Fix the fields marked in red", severity="error")
            return
        if self.item is None:
            self._create(values)
        else:
            self._save(values)

    def _create(self, values: dict[str, Any]) -> None:
        fields = {k: v for k, v in values.items()
                  if k not in ("title", "kind", "status", "checklist") and v not in (None, "", [])}
        steps = values.get("checklist") or []
        result = self.app.apply_ops([CreateItem(values["title"], kind=values["kind"], status=values["status"],
                                                fields=fields, checklist=[step["text"] for step in steps])])
        if result is not None and result.item_id is not None and any(step["done"] for step in steps):
            # A new item's steps, some ticked already: the create takes texts, SetSteps the ticks.
            self.app.apply_ops([SetSteps(result.item_id, steps)])
        if result is not None:
            self.notify(f"Created #{result.item_id}")
            self.dismiss(result.item_id)

    def _save(self, values: dict[str, Any]) -> None:
        """Save the fields you changed; fields someone else changed meanwhile ask theirs or yours first.

        The item is read fresh from the file: a field only they changed is left
        as they wrote it, one only you changed is written, one you both changed
        to the same value needs nothing, and one you both changed differently
        opens :class:`~tui.conflict.ConflictScreen`.
        """
        assert self.item is not None
        item_id = self.item.id
        mine = {k: v for k, v in values.items() if _differs(self.original.get(k), v)}
        if not mine:
            self.dismiss(item_id)
            return
        try:
            fresh_item = self.app.workspace.snapshot().items.get(item_id)
        except WorkspaceError as error:
            self._notice(f"Cannot read the workspace to save: {error}", error=True)
            return
        if fresh_item is None:
            self._notice(f"#{item_id} no longer exists in the workspace; saving is not possible.", error=True)
            return
        fresh = {name: getattr(fresh_item, name) for name in self.original}
        mine = {k: v for k, v in mine.items() if _differs(fresh.get(k), v)}  # they already wrote your value
        if not mine:
            self.notify(f"#{item_id} already holds your changes; nothing to save")
            self.dismiss(item_id)
            return
        clashes = find_clashes(self.original, fresh, mine, self._last_writers(item_id, mine))
        if clashes:
            others = [name.replace("_", " ") for name in mine if name not in {c.field for c in clashes}]
            self.app.push_screen(ConflictScreen(item_id, clashes, others), partial(self._resolved, mine, clashes))
            return
        self._write(mine, {k: self.original.get(k) for k in mine})

    def _resolved(self, mine: dict[str, Any], clashes: list[Clash], choice: str | None) -> None:
        if choice is None:
            self._notice("Nothing saved yet. The form still holds your values; ctrl+s asks again.", error=True)
            return
        expected = {k: self.original.get(k) for k in mine}
        if choice == KEEP_THEIRS:
            for clash in clashes:
                mine.pop(clash.field)
                self.original[clash.field] = clash.theirs
                self._set_widget(clash.field, clash.theirs)
        elif choice == APPLY_MINE:
            for clash in clashes:
                expected[clash.field] = clash.theirs  # overwrite exactly what you were shown, nothing newer
        self._write(mine, expected)

    def _write(self, fields: dict[str, Any], expected: dict[str, Any]) -> None:
        assert self.item is not None
        item_id = self.item.id
        ops: list = []
        values = {k: v for k, v in fields.items() if k not in ("status", "checklist")}
        if values:
            ops.append(SetFields(item_id, values, expected={k: expected.get(k) for k in values}))
        if "checklist" in fields:
            ops.append(SetSteps(item_id, fields["checklist"], expected=expected.get("checklist") or []))
        if "status" in fields:
            ops.append(Move(item_id, fields["status"], expected_status=expected.get("status")))
        if not ops:
            self.notify(f"Kept their version of #{item_id}")
            self.dismiss(item_id)
            return
        try:
            result = self.app.apply_ops(ops, raise_conflict=True)
        except Conflict:
            # Someone wrote again between reading and writing: read again and ask again.
            self.action_save()
            return
        if result is not None:
            self.notify(f"Saved #{item_id}")
            self.dismiss(item_id)

    def _last_writers(self, item_id: int, names: dict[str, Any]) -> dict[str, str]:
        """Who last changed each of ``names`` on the item, from the history."""
        who: dict[str, str] = {}
        for entry in self.app.workspace.history(item_id, limit=500):
            for name in (entry.get("changes") or {}):
                if name in names and name not in who:
                    who[name] = str(entry.get("by") or "someone")
            if len(who) == len(names):
                break
        return who

    def action_cancel(self) -> None:
        """Close without saving; with unsaved changes, only on a second esc within 3 s.

        Over a slow link an escape can also arrive as the first byte of a
        split-up arrow key, so one stray escape must not throw away an edit.
        """
        after_typed_keys(self, self._cancel)

    def _cancel(self) -> None:
        if self.may_discard(self._typed() != self._shown, lambda text: self._notice(text, error=True),
                            "You have unsaved changes: esc again discards them, ctrl+s saves."):
            self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    # -- someone else wrote the file ----------------------------------------------
    def workspace_changed(self, snapshot: Snapshot) -> None:
        """Merge others' changes to fields you have not touched; warn about the rest."""
        self.snapshot = snapshot
        if self.item is None:
            return
        fresh = snapshot.items.get(self.item.id)
        if fresh is None:
            self._notice(f"#{self.item.id} no longer exists in the workspace; saving is not possible.", error=True)
            return
        typed = self._typed()
        clashes, merged = [], []
        for name in (*TEXT_FIELDS, *AREA_FIELDS, "kind", "status"):
            theirs = getattr(fresh, name)
            if not _differs(self.original.get(name), theirs):
                continue
            try:
                mine_stored = typed[name] if name in ("kind", "status") else text_to_stored(
                    name, typed[name], self.app.workspace.today)
            except BadValue:
                mine_stored = typed[name]
            if _differs(self.original.get(name), mine_stored):
                clashes.append(name)  # both edited: keep yours in the form, save will ask
                continue
            self.original[name] = theirs
            merged.append(name)
            self._set_widget(name, theirs)
            self._shown[name] = self._typed()[name]
        who = fresh.updated_by or "someone"
        if clashes:
            self._notice(f"{who} changed {', '.join(clashes)} while you were editing; "
                         f"saving will show their value first.", error=True)
        elif merged:
            self._notice(f"{who} changed {', '.join(merged)}; the form now shows their value.")

    def _set_widget(self, name: str, value: Any) -> None:
        if name in AREA_FIELDS:
            self.query_one(f"#f-{name}", SafeTextArea).load(stored_to_text(name, value))
        elif name in ("kind", "status"):
            self.query_one(f"#f-{name}", Select).value = value
        else:
            self.query_one(f"#f-{name}", SafeInput).load(stored_to_text(name, value))

    def _notice(self, message: str, *, error: bool = False) -> None:
        notice = self.query_one("#editor-notice", Static)
        notice.update(Text(safe(message)))
        notice.set_class(True, "-shown")
        notice.set_class(error, "-error")


def _differs(a: Any, b: Any) -> bool:
    return (None if a in ("", [], None) else a) != (None if b in ("", [], None) else b)
