"""The tables a PostgreSQL workspace lives in, and their version.

Everything sits in one schema, ``worktop``, so a database can hold other
things too; one database holds any number of workspaces (rows of
``worktop.workspaces``). Documents (items, people, settings, history entries,
presence) are stored as ``json`` — the exact text worktop wrote — rather than
``jsonb``: it keeps every string JSON can hold (``jsonb`` refuses ``\\u0000``,
which a file workspace may contain) and is read back with one fast parse.

=====================  ===========================================================
``schema_info``        the schema's version (:data:`SCHEMA_VERSION`): an older
                       worktop refuses a newer schema, as it refuses a newer file
``workspaces``         one row per workspace: name, revision, settings document
``items``, ``people``  one row per document, by (workspace, id)
``history``            append-only: who (``by``, stamped by the server from
                       ``session_user``), when, what changed from → to
``changes``            one row per revision: which items it wrote or removed —
                       the durable log clients catch up from; inserting one
                       sends ``NOTIFY worktop_<id>``, a wake-up only
``presence``           who has the workspace open and where they are looking
=====================  ===========================================================

Rights go through two group roles made by ``worktop init`` where it may make
roles: ``worktop_reader`` (read, and say where you are) and ``worktop_writer``
(also change the workspace). History and changes can be inserted, never
updated or deleted, by either.

Authorship is the server's: a trigger sets every new history entry's and
change's ``by`` to ``session_user`` (the role that logged in; ``SET ROLE``
does not change it), whatever the client sent. The one exception is history
brought along by ``worktop copy``: it keeps its recorded authors, but only in
the transaction that created the workspace, and ``recorded_by`` still says who
copied it.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
"""Version of the tables below; a database with a higher one is refused by this worktop."""

CREATE = r"""
CREATE SCHEMA IF NOT EXISTS worktop;

CREATE TABLE worktop.schema_info (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE worktop.workspaces (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    revision bigint NOT NULL CHECK (revision >= 0 AND revision < 9007199254740992),
    meta json NOT NULL CHECK (json_typeof(meta) = 'object'),
    created_by text NOT NULL DEFAULT session_user,
    created_tx xid8 NOT NULL DEFAULT pg_current_xact_id()
);

CREATE TABLE worktop.items (
    workspace bigint NOT NULL REFERENCES worktop.workspaces (id) ON DELETE CASCADE,
    id bigint NOT NULL CHECK (id > 0 AND id < 1000000000000000),
    doc json NOT NULL CHECK (json_typeof(doc) = 'object'),
    PRIMARY KEY (workspace, id)
);

CREATE TABLE worktop.people (
    workspace bigint NOT NULL REFERENCES worktop.workspaces (id) ON DELETE CASCADE,
    id bigint NOT NULL CHECK (id > 0 AND id < 1000000000000000),
    doc json NOT NULL CHECK (json_typeof(doc) = 'object'),
    PRIMARY KEY (workspace, id)
);

CREATE TABLE worktop.history (
    workspace bigint NOT NULL REFERENCES worktop.workspaces (id) ON DELETE CASCADE,
    rev bigint NOT NULL,
    seq integer NOT NULL,
    item bigint,
    by text NOT NULL,
    fields text[] NOT NULL,
    status_to text,
    via boolean NOT NULL DEFAULT false,
    entry json NOT NULL CHECK (json_typeof(entry) = 'object'),
    recorded_by text NOT NULL DEFAULT session_user,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    copied boolean NOT NULL DEFAULT false,
    PRIMARY KEY (workspace, rev, seq)
);
CREATE INDEX history_item ON worktop.history (workspace, item, rev);
CREATE INDEX history_status ON worktop.history (workspace, rev) WHERE status_to IS NOT NULL;

CREATE TABLE worktop.changes (
    workspace bigint NOT NULL REFERENCES worktop.workspaces (id) ON DELETE CASCADE,
    rev bigint NOT NULL,
    items bigint[] NOT NULL,
    people boolean NOT NULL DEFAULT false,
    token text,
    by text NOT NULL DEFAULT session_user,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace, rev)
);

CREATE TABLE worktop.presence (
    workspace bigint NOT NULL REFERENCES worktop.workspaces (id) ON DELETE CASCADE,
    role text NOT NULL DEFAULT session_user,
    key text NOT NULL CHECK (length(key) <= 400),
    doc json NOT NULL CHECK (json_typeof(doc) = 'object' AND octet_length(doc::text) <= 4096),
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace, role, key)
);

-- Authorship is the server's (see the module docstring).
CREATE FUNCTION worktop.stamp_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.recorded_by := session_user;
    NEW.recorded_at := now();
    IF NEW.copied AND (SELECT w.created_tx FROM worktop.workspaces w WHERE w.id = NEW.workspace)
                      = pg_current_xact_id() THEN
        RETURN NEW;
    END IF;
    NEW.copied := false;
    NEW.by := session_user;
    RETURN NEW;
END $$;
CREATE TRIGGER history_stamp BEFORE INSERT ON worktop.history
    FOR EACH ROW EXECUTE FUNCTION worktop.stamp_history();

CREATE FUNCTION worktop.stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.by := session_user;
    NEW.at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER change_stamp BEFORE INSERT ON worktop.changes
    FOR EACH ROW EXECUTE FUNCTION worktop.stamp_change();

-- NOTIFY is a wake-up, sent at commit: clients read what changed from worktop.changes.
CREATE FUNCTION worktop.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('worktop_' || NEW.workspace, NEW.rev::text);
    RETURN NULL;
END $$;
CREATE TRIGGER change_notify AFTER INSERT ON worktop.changes
    FOR EACH ROW EXECUTE FUNCTION worktop.notify_change();

CREATE FUNCTION worktop.stamp_presence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.role := session_user;
    NEW.at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER presence_stamp BEFORE INSERT OR UPDATE ON worktop.presence
    FOR EACH ROW EXECUTE FUNCTION worktop.stamp_presence();

-- A heartbeat that changes nothing but the time wakes nobody.
CREATE FUNCTION worktop.notify_presence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('worktop_presence_' || OLD.workspace, left(OLD.key, 400));
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.doc::jsonb - 'at' = NEW.doc::jsonb - 'at' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('worktop_presence_' || NEW.workspace, left(NEW.key, 400));
    RETURN NULL;
END $$;
CREATE TRIGGER presence_notify AFTER INSERT OR UPDATE OR DELETE ON worktop.presence
    FOR EACH ROW EXECUTE FUNCTION worktop.notify_presence();

-- Each role writes only its own presence; anyone may clear one gone stale.
ALTER TABLE worktop.presence ENABLE ROW LEVEL SECURITY;
CREATE POLICY presence_read ON worktop.presence FOR SELECT USING (true);
CREATE POLICY presence_add ON worktop.presence FOR INSERT WITH CHECK (role = session_user);
CREATE POLICY presence_own ON worktop.presence FOR UPDATE USING (role = session_user);
CREATE POLICY presence_clear ON worktop.presence FOR DELETE
    USING (role = session_user OR at < now() - interval '30 seconds');
"""

INDEXES = r"""
CREATE OR REPLACE FUNCTION worktop.field(doc json, name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN strpos(doc::text, '\u0000') = 0 THEN doc ->> name
                ELSE replace(doc::text, '\u0000', '\u2400')::json ->> name END
$$;
CREATE INDEX IF NOT EXISTS items_status ON worktop.items (workspace, worktop.field(doc, 'status'));
CREATE INDEX IF NOT EXISTS items_waiting ON worktop.items (workspace) WHERE worktop.field(doc, 'blocked_by') IS NOT NULL;
"""
"""Indexes a write that reads items one by one asks through (no worktop reads every item to find these):
``items_status`` counts a column against its WIP limit, ``items_waiting`` finds what waits on other items
(the few that can be blocked by the one being declined, or close a cycle).

``worktop.field`` reads one field as text. json's own ``->>`` refuses a document holding ``\u0000``
anywhere (PostgreSQL's text cannot hold it; the reason the documents are ``json``), which in an index
would refuse to store that document; replacing the escape with another of the same length (``\u2400``,
␀) keeps the JSON valid and every other field as it was.

Part of :data:`CREATE`'s set-up; a schema made before them works without them, only slower at 100k items,
and gets them from the next ``worktop init`` on that database by a role that owns the tables. They change
no table, so they need no new :data:`SCHEMA_VERSION`."""

ROLES = r"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'worktop_reader') THEN
        CREATE ROLE worktop_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'worktop_writer') THEN
        CREATE ROLE worktop_writer NOLOGIN;
    END IF;
END $$;
GRANT worktop_reader TO worktop_writer;
"""

GRANTS = r"""
GRANT USAGE ON SCHEMA worktop TO worktop_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA worktop TO worktop_reader;
GRANT INSERT, UPDATE, DELETE ON worktop.presence TO worktop_reader;
GRANT INSERT, UPDATE ON worktop.workspaces TO worktop_writer;
GRANT INSERT, UPDATE, DELETE ON worktop.items, worktop.people TO worktop_writer;
GRANT INSERT ON worktop.history, worktop.changes TO worktop_writer;
"""

WRITE_RIGHTS = r"""
SELECT has_table_privilege('worktop.workspaces', 'UPDATE')
   AND has_table_privilege('worktop.items', 'INSERT, UPDATE, DELETE')
   AND has_table_privilege('worktop.people', 'INSERT, UPDATE, DELETE')
   AND has_table_privilege('worktop.history', 'INSERT')
   AND has_table_privilege('worktop.changes', 'INSERT')
"""
"""Whether the connected role may change a workspace (one boolean)."""

__all__ = ["CREATE", "GRANTS", "INDEXES", "ROLES", "SCHEMA_VERSION", "WRITE_RIGHTS"]
