"""Data versions: how a worker may keep what it drew or read between requests, and learn
for the price of a file read (or one Redis round trip) that a write has made it stale, in
whichever worker or server that write was made.

There are two kinds of version. A person's own is bumped after a commit that wrote only
their own visit records (check-ins and task logs that relay nothing): the bulk of all
writes, which change nothing kept for anyone else. A visit to a household bumps the
versions of the people who cover its place, whose plan it ticks off (rounds/), and no one
else's. The shared one ("all") is bumped after
any other committed write: places, people, requests, dispatch, directives. What is kept
names the versions it was made under and is thrown away when either has moved on.

A version is bumped after the commit, never before: whoever reads the new version reads
the new rows with it. Something drawn from the old rows may still be kept under the old
version for a moment, and nobody asks for that version any more.

Where the versions live (VERSIONS_URI): a folder on this machine by default, which every
gunicorn worker of one server shares; `redis://…` for several servers (it defaults to the
rate limits' Redis when that is one). Writes made outside this app (SQL by hand, a restore
into a running server) bump nothing: whatever is kept with a version also has a time limit.
"""
import os
import tempfile
import time
from typing import Callable, Iterable

from flask import Flask, current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .memo import memo_spoiled, remembered

ALL = "all"
_PENDING = "_versions_pending"  # Session.info: what this transaction's commit will bump


class FolderVersions:
    """One file per version, grown by a byte at every bump: the version is the file's inode
    and size. An append is atomic however many workers bump at once, each one moves the
    size on, and a reader needs one stat. (A token rewritten and renamed into place cost a
    millisecond of a sync on an overlay file system; an append costs a few microseconds.)
    Past ROTATE bytes the file is replaced by an empty one, whose new inode is a new version."""

    ROTATE = 1 << 20

    def __init__(self, folder: str):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def read(self, names: Iterable[str]) -> tuple[str, ...]:
        found = []
        for name in names:
            try:
                st = os.stat(os.path.join(self.folder, name))
            except FileNotFoundError:  # never bumped yet
                found.append("0")
            else:
                found.append(f"{st.st_ino}.{st.st_size}")
        return tuple(found)

    def bump(self, names: Iterable[str]) -> None:
        for name in names:
            path = os.path.join(self.folder, name)
            size = self._append(path)
            if size > self.ROTATE:
                fd, fresh = tempfile.mkstemp(dir=self.folder, prefix=".bump-")
                os.close(fd)
                os.replace(fresh, path)

    @staticmethod
    def _append(path: str) -> int:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, b".")
            mine = os.fstat(fd)
        finally:
            os.close(fd)
        try:
            if os.stat(path).st_ino != mine.st_ino:  # replaced by a rotation meanwhile: bump the new file
                return FolderVersions._append(path)
        except FileNotFoundError:
            return FolderVersions._append(path)
        return mine.st_size


class RedisVersions:
    """One counter per version, shared by every server that points at this Redis."""

    def __init__(self, uri: str, prefix: str):
        import redis  # only needed when several servers share one store

        self.redis = redis.Redis.from_url(uri)
        self.prefix = f"{prefix}:version:"

    def read(self, names: Iterable[str]) -> tuple[str, ...]:
        values = self.redis.mget([self.prefix + name for name in names])
        return tuple((v or b"0").decode() for v in values)

    def bump(self, names: Iterable[str]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.incr(self.prefix + name)
        pipe.execute()


def store():
    return current_app.extensions["fuxin_versions"]


def person(user_id: int) -> str:
    return f"u{int(user_id)}"


def current(user_id: int) -> tuple[str, str]:
    """(the shared version, this person's), as one read, once a request."""
    def read():
        both = store().read((ALL, person(user_id)))
        remembered(("versions", ALL), lambda: both[0])
        return both
    return remembered(("versions", user_id), read)


def shared() -> str:
    """The shared version, once a request."""
    return remembered(("versions", ALL), lambda: store().read((ALL,))[0])


def kept_value(key, compute: Callable):
    """compute(), once a request (memo.py), and kept by the worker between requests while the
    shared version stands: for plain values every request asks for and only shared writes
    change, such as a person's place scope. A request that has itself written what the memo
    watches computes afresh and keeps nothing: its write is not committed, nor bumped, yet."""
    def across():
        if not has_request_context() or memo_spoiled():
            return compute()
        kept = current_app.extensions.setdefault("fuxin_kept_values", {})
        version, now = shared(), time.time()
        found = kept.get(key)
        if found is not None and found[0] == version and now - found[1] < current_app.config["KEEP_SECONDS"]:
            return found[2]
        value = compute()
        if len(kept) > 50_000:  # a bound on a worker's memory, far past a subdistrict's people
            kept.clear()
        kept[key] = (version, now, value)
        return value
    return remembered(key, across)


def bump_all() -> None:
    """Everything kept is stale (a restore, demo data loaded, an import)."""
    store().bump((ALL,))


# --- What a commit bumps ---------------------------------------------------------------------

_OWN: dict[str, object] = {}  # table name -> rule(row values) -> the person's id, or None: shared


_PREPARE: dict[str, object] = {}  # table name -> prepare(rows): looks up what owner_of needs, at once


def own_records(table_name: str, owner_of, prepare=None) -> None:
    """Rows of this table that change only some people's pages: owner_of(values) gives the
    person's id for a row (their own), a set of ids (these people's, such as those whose
    plan a visit ticks off), or None for a row that changes what anyone may see.
    prepare(rows), when given, is called once with all the rows a flush or a batch writes
    before owner_of is asked row by row: what owner_of reads, it reads for all of them in one
    query (a 200-record sync must cost the same statements as a 20-record one)."""
    _OWN[table_name] = owner_of
    if prepare is not None:
        _PREPARE[table_name] = prepare


def _note(session: Session, names: Iterable[str]) -> None:
    session.info.setdefault(_PENDING, set()).update(names)


def _row_names(table_name: str, values) -> set[str]:
    rule = _OWN.get(table_name)
    owner = rule(values) if rule is not None else None
    if owner is None:
        return {ALL}
    if isinstance(owner, int):
        return {person(owner)}
    return {person(i) for i in owner} or {ALL}  # nobody named: play safe


def _prepare(table_name: str, rows: list) -> None:
    prepare = _PREPARE.get(table_name)
    if prepare is not None and rows:
        prepare(rows)


def _after_flush(session: Session, _context) -> None:
    names: set[str] = set()
    new_rows: dict[str, list] = {}
    for instance in session.new:
        new_rows.setdefault(instance.__table__.name, []).append(vars(instance))
    for table_name, rows in new_rows.items():
        _prepare(table_name, rows)
        for values in rows:
            names |= _row_names(table_name, values)
    if session.dirty or session.deleted:
        names.add(ALL)  # an edit or a deletion: kept things of others may show it
    if names:
        _note(session, names)


def _on_statement(state) -> None:
    """Bulk INSERT/UPDATE/DELETE through the session, which flush events never see: the sync
    batch's inserts, retention's erasure."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if not state.is_insert or name not in _OWN:
        _note(state.session, {ALL})
        return
    params = state.parameters
    rows_written(state.session, name, params if isinstance(params, list) else [params or {}])


def rows_written(session: Session, table_name: str, rows: list[dict]) -> None:
    """What inserting these rows will bump at the commit, for inserts made on the session's
    connection, which no session event sees (the sync batch's)."""
    names: set[str] = set()
    _prepare(table_name, rows)
    for values in rows:
        names |= _row_names(table_name, values)
    _note(session, names)


def _after_commit(session: Session) -> None:
    names = session.info.pop(_PENDING, None)
    if names:
        try:
            store().bump(sorted(names))
        except RuntimeError:  # outside an app context (a script's own session): nothing kept to spoil
            pass


def init_versions(app: Flask) -> None:
    uri = app.config.get("VERSIONS_URI") or ""
    limits = app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri and limits.startswith(("redis://", "rediss://")):
        uri = limits  # several servers already share this Redis; the versions must be shared too
    if uri.startswith(("redis://", "rediss://")):
        app.extensions["fuxin_versions"] = RedisVersions(uri, app.config.get("RATELIMIT_KEY_PREFIX", "fuxin"))
    else:
        app.extensions["fuxin_versions"] = FolderVersions(uri or os.path.join(app.instance_path, "versions"))
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_statement),
                           ("after_commit", _after_commit), ("after_soft_rollback", _after_rollback_soft)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _after_rollback_soft(session: Session, previous_transaction) -> None:
    # A whole rollback undoes every write; a savepoint's may leave some, and a bump too many
    # only costs a page drawn again, so only the outermost transaction's forgets.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
