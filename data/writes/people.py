"""Operations on people: add someone who can own work, and set a person's role on an item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from data.errors import BadValue
from data.model.items import RESERVED_HANDLES, ROLES, Person, clean_text, is_handle
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import check_person, touch


@dataclass
class SetRole:
    """Set a person's role on an item: ``A`` (accountable owner), ``R``, ``C``, ``I`` or none.

    Setting ``A`` makes the person the owner; exactly one owner is kept, so the
    previous owner is demoted to ``R``.
    """

    item_id: int
    handle: str
    role: str | None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        check_person(txn, self.handle, "role")
        role = (self.role or "").upper() or None
        if role not in (None, "A", *ROLES):
            raise BadValue(f"role {self.role!r} must be A, R, C, I or none")
        roles = dict(doc.get("roles", {}))
        changes: dict[str, list[Any]] = {}
        owner = doc.get("owner")
        if role == "A":
            if owner != self.handle:
                if owner:
                    roles[owner] = "R"
                changes["owner"] = [owner, self.handle]
                doc["owner"] = self.handle
            roles.pop(self.handle, None)
            # Exactly one accountable person: anyone else marked A in the roles (a
            # hand-edited or older file) is demoted to responsible.
            for other, letter in list(roles.items()):
                if letter == "A":
                    roles[other] = "R"
        else:
            if owner == self.handle:
                changes["owner"] = [owner, None]
                doc.pop("owner", None)
            if role is None:
                roles.pop(self.handle, None)
            else:
                roles[self.handle] = role
        if roles != doc.get("roles", {}):
            changes["roles"] = [doc.get("roles", {}), roles]
            doc["roles"] = roles
            if not roles:
                doc.pop("roles")
        if not changes:
            return self.item_id
        touch(txn, doc)
        txn.record("role", self.item_id, changes, f"set {self.handle}'s role on #{self.item_id} to {role or 'none'}")
        return self.item_id


@dataclass
class AddPerson:
    """Add someone who can own work."""

    person: Person

    def apply(self, txn: Transaction) -> None:
        handle = self.person.handle.strip().lstrip("@")
        if not is_handle(handle):
            raise BadValue(f"{self.person.handle!r} is not a handle (letters, digits, . _ -)")
        if handle.lower() in RESERVED_HANDLES:
            raise BadValue(f"{handle!r} cannot be a person's handle: it already means "
                           + ("you, whoever runs worktop" if handle.lower() == "me" else "nobody")
                           + " (in --owner and in queries); pick another handle")
        if txn.has_person(handle):
            raise BadValue(f"{handle} is already in this workspace")
        if self.person.capacity < 0:
            raise BadValue("capacity cannot be negative")
        doc = {"handle": handle, "name": clean_text(self.person.name, limit=100, what="name", single_line=True),
               "team": clean_text(self.person.team, limit=60, what="team", single_line=True),
               "capacity": int(self.person.capacity)}
        txn.add_person(doc)
        txn.record("person", None, {"person": [None, handle]}, f"added {handle}")
        return None


__all__ = ["AddPerson", "SetRole"]
