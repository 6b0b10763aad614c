"""Capturing changes, in one place: two session events, not a line in every route.

- after_flush sees every object the unit of work wrote: new ones already have their ids,
  and the attribute history (before → after) is still there. The entries are inserted on the
  flush's own connection, one INSERT for all of them, in the same transaction as the change:
  a change rolled back takes its entry with it.
- do_orm_execute sees bulk UPDATE and DELETE statements (a request's optimistic-version
  update, an assignment removed), which pass no flush. The rows they touch are read before
  (locked, FOR UPDATE on PostgreSQL) and after: two queries a statement, whatever it changes.

Bulk INSERTs are not captured: only the sync batch (field records, which are their own
audit) and the demo loader insert that way.

A field's old value is loaded when it is set (active_history), so "before" is known even when
a commit had expired the object; that is one query per object at most, and usually none."""
from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..timeutil import utcnow
from .models import CREATE, DELETE, SECRET, UPDATE, AuditEntry
from .registry import BY_MODEL, BY_TABLE, Audited, spec_for

_SNAPSHOTS = "audit_deleted"  # session.info key: values of objects about to be deleted


def _plain(value):
    """A value as JSON holds it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)  # a date, a Decimal


def _shown(spec: Audited, key: str, value):
    """What the log keeps of a value: a secret only as changed, a personal value masked."""
    if value is None:
        return None
    if key in spec.secret:
        return SECRET
    if key in spec.masked:
        return spec.masked[key](value)
    return _plain(value)


def _pair(spec: Audited, key: str, before, after) -> list:
    if key in spec.secret:
        return [None, SECRET]  # never the value, not even masked: only that it changed
    return [_shown(spec, key, before), _shown(spec, key, after)]


def _actor_and_path() -> tuple[int | None, str | None]:
    """The person logged in, and the path; None outside a request (the CLI, a script). The id
    is the object's identity, read without loading anything even if a commit expired it."""
    if not has_request_context():
        return None, None
    state = sa.inspect(current_user._get_current_object(), raiseerr=False)
    identity = state.identity if state is not None else None
    return (identity[0] if identity else None), request.path[:200]


def _entry(spec: Audited, object_id, action: str, changes: dict, parent_id) -> dict:
    return {"object_type": spec.key, "object_id": object_id, "action": action, "changes": changes,
            "parent_type": spec.parent[0] if spec.parent and parent_id is not None else None,
            "parent_id": parent_id if spec.parent else None}


def _write(session, entries: list[dict]) -> None:
    if not entries:
        return
    actor_id, path = _actor_and_path()
    now = utcnow()
    for e in entries:
        e.update(at=now, actor_id=actor_id, path=path)
    # Core, on the flush's connection: no second unit of work, one statement for all entries.
    session.connection().execute(sa.insert(AuditEntry.__table__), entries)


# --- The unit of work ----------------------------------------------------------------------

def _before_flush(session, _context, _instances) -> None:
    """Objects being deleted: their values read now, while their rows still exist."""
    for obj in session.deleted:
        spec = spec_for(obj)
        if spec is not None:
            session.info.setdefault(_SNAPSHOTS, {})[id(obj)] = {k: getattr(obj, k) for k in _keys(spec)}


def _keys(spec: Audited) -> tuple[str, ...]:
    return spec.fields + ((spec.parent[1],) if spec.parent and spec.parent[1] not in spec.fields else ())


def _parent_of(spec: Audited, values: dict):
    return values.get(spec.parent[1]) if spec.parent else None


def _after_flush(session, _context) -> None:
    entries = []
    snapshots = session.info.pop(_SNAPSHOTS, {})
    for obj in session.new:
        spec = spec_for(obj)
        if spec is not None and spec.creates:
            values = sa.inspect(obj).dict
            changes = {k: _pair(spec, k, None, values.get(k)) for k in spec.fields if values.get(k) is not None}
            entries.append(_entry(spec, obj.id, CREATE, changes, _parent_of(spec, values)))
    for obj in session.dirty:
        spec = spec_for(obj)
        if spec is None:
            continue
        state = sa.inspect(obj)
        changes = {}
        for key in spec.fields:
            history = state.attrs[key].history
            if history.added or history.deleted:
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                if before != after:
                    changes[key] = _pair(spec, key, before, after)
        if changes:
            entries.append(_entry(spec, state.identity[0], UPDATE, changes, _parent_of(spec, state.dict)))
    for obj in session.deleted:
        spec = spec_for(obj)
        if spec is not None:
            state = sa.inspect(obj)
            values = snapshots.get(id(obj), state.dict)  # one deleted by cascade: what was loaded
            changes = {k: _pair(spec, k, values.get(k), None) for k in spec.fields if values.get(k) is not None}
            entries.append(_entry(spec, state.identity[0], DELETE, changes, _parent_of(spec, values)))
    _write(session, entries)


def _forget_snapshots(session, *_args) -> None:
    session.info.pop(_SNAPSHOTS, None)


# --- Bulk UPDATE and DELETE ----------------------------------------------------------------

def _touched(statement, parameters) -> set[str] | None:
    """The columns an UPDATE sets, or None when that cannot be told (then: assume any)."""
    values = getattr(statement, "_values", None)
    if values:
        return {getattr(k, "key", k) for k in values}
    if isinstance(parameters, list) and parameters:
        return set(parameters[0])
    return None


def _on_execute(state):
    if not (state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    spec = BY_TABLE.get(getattr(table, "name", None))
    if spec is None:
        return None
    touched = _touched(state.statement, state.parameters) if state.is_update else None
    if touched is not None and not touched & set(spec.fields):
        return None
    columns = [table.c.id] + [table.c[k] for k in _keys(spec)]
    which = _bulk_rows(state.statement, state.parameters, table)
    session = state.session
    before = {row.id: row._asdict() for row in session.execute(sa.select(*columns).where(which).with_for_update())}
    result = state.invoke_statement()
    if not before:
        return result
    after = {}
    if state.is_update:
        after = {row.id: row._asdict() for row in session.execute(sa.select(*columns).where(table.c.id.in_(before)))}
    entries = []
    for object_id, old in before.items():
        new = after.get(object_id)
        if new is None:
            changes = {k: _pair(spec, k, old[k], None) for k in spec.fields if old[k] is not None}
            entries.append(_entry(spec, object_id, DELETE, changes, _parent_of(spec, old)))
            continue
        changes = {k: _pair(spec, k, old[k], new[k]) for k in spec.fields if old[k] != new[k]}
        if changes:
            entries.append(_entry(spec, object_id, UPDATE, changes, _parent_of(spec, new)))
    _write(session, entries)
    return result


def _bulk_rows(statement, parameters, table):
    """The rows a bulk statement reaches: its WHERE, or the primary keys of a by-key executemany."""
    if isinstance(parameters, list) and parameters and "id" in parameters[0]:
        return table.c.id.in_([p["id"] for p in parameters])
    return statement.whereclause if statement.whereclause is not None else sa.true()


# --- Set-up --------------------------------------------------------------------------------

def _keep_old_value(*_args) -> None:
    """Only here so that setting a field loads the value it replaces (active_history)."""


_HANDLERS = ((Session, "before_flush", _before_flush), (Session, "after_flush", _after_flush),
             (Session, "after_rollback", _forget_snapshots), (Session, "do_orm_execute", _on_execute))


def listen() -> None:
    """The session events, once per process (every app shares the Session class)."""
    for target, name, handler in _HANDLERS:
        if not event.contains(target, name, handler):
            event.listen(target, name, handler)
    for spec in BY_MODEL.values():
        for key in spec.fields:
            attribute = getattr(spec.model, key)
            if not event.contains(attribute, "set", _keep_old_value):
                event.listen(attribute, "set", _keep_old_value, active_history=True)
