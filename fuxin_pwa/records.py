"""What every record made in the field shares, online form or synced alike.

A record carries the UUID the device made when the person saved it (the idempotency key),
the device's own time and the corrected time, when the server received it, and a hash of
its content so a replay can be told from a different record reusing the same id."""
import functools
import hashlib
import json
import logging
import uuid
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from . import versions
from .extensions import db
from .timeutil import utcnow

log = logging.getLogger(__name__)

SOURCE_WEB = "web"
SOURCE_SYNC = "sync"
SOURCE_IMPORT = "import"


class FieldRecordMixin:
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    device_occurred_at: Mapped[datetime | None] = mapped_column()
    clock_corrected: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(sa.String(16), default=SOURCE_WEB)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    content_hash: Mapped[str] = mapped_column(sa.String(64))

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("users.id"), index=True)


def content_hash(record_type: str, occurred_at: str | None, data: dict) -> str:
    """Stable hash of what the person recorded; the same record replayed hashes the same."""
    canonical = json.dumps(
        {"type": record_type, "occurred_at": occurred_at, "data": data},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Storing a record exactly once -------------------------------------------------------

CREATED = "created"
DUPLICATE = "duplicate"
REJECTED = "rejected"
CONFLICT = "conflict"


@dataclass
class RecordMeta:
    """Where and when a record was made, apart from what the person typed."""

    record_id: str
    occurred_at: datetime  # naive UTC, corrected where the device clock was off
    device_occurred_at: datetime | None = None
    clock_corrected: bool = False
    source: str = SOURCE_WEB
    device_id: str | None = None
    content_hash: str = ""

    def columns(self) -> dict:
        return {
            "uuid": self.record_id, "occurred_at": self.occurred_at,
            "device_occurred_at": self.device_occurred_at, "clock_corrected": self.clock_corrected,
            "source": self.source, "device_id": self.device_id, "content_hash": self.content_hash,
        }


def web_meta(form, record_type: str) -> RecordMeta:
    """The meta of a record typed into an online form (the field pages, the case page).

    It gets a UUID too (made when the form opened), so a double submit stores one record and
    every report reads one table per record type; the server's clock is the record's time."""
    try:
        record_id = str(uuid.UUID(form.record_id.data))
    except (TypeError, ValueError, AttributeError):
        record_id = str(uuid.uuid4())
    return RecordMeta(record_id=record_id, occurred_at=utcnow(), source=SOURCE_WEB,
                      content_hash=content_hash(record_type, None, form.record_data()))


@dataclass
class StoreResult:
    status: str
    record: object | None = None
    errors: dict | None = None
    detail: str | None = None  # a conflict's explanation, for the person who made the change


ID_TAKEN = _l("该记录编号已被另一条内容不同的记录使用")


def record_models() -> list:
    """Every table of device-made records: a record id is unique across all of them."""
    return [m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, FieldRecordMixin)]


@functools.cache
def _stored_statement():
    """The record tables, and one UNION over them of the rows holding any of the ids bound at
    run time. Built once: building it cost more CPU than running it, and every sync request
    and every photo upload runs it."""
    models = record_models()
    ids = sa.bindparam("ids", expanding=True)
    return models, sa.union_all(*[
        sa.select(sa.literal(i).label("table_no"), m.id, m.uuid, m.user_id, m.content_hash)
        .where(m.uuid.in_(ids)) for i, m in enumerate(models)])


def _stored_rows(record_uuids):
    models, union = _stored_statement()
    # On the session's connection, as Core: the ORM's execution path would cost a one-record
    # sync more CPU than the query itself, for rows that are plain tuples anyway.
    return models, db.session.connection().execute(union, {"ids": list(record_uuids)})


def find_record_by_uuid(record_uuid: str):
    """The record with this id, whichever table holds it, in one query (a UNION over the
    record tables: there are five tables and counting)."""
    models, rows = _stored_rows([record_uuid])
    hit = rows.first()
    return db.session.get(models[hit.table_no], hit.id) if hit else None


def stored_records(record_uuids) -> dict[str, tuple[type, int, str]]:
    """id → (table's model, author, content hash) of those of these ids already stored, in
    one query over every record table."""
    if not record_uuids:
        return {}
    models, rows = _stored_rows(record_uuids)
    return {row.uuid: (models[row.table_no], row.user_id, row.content_hash) for row in rows}


def _judged(same: bool, existing=None) -> StoreResult:
    return StoreResult(DUPLICATE, existing) if same else StoreResult(REJECTED, errors={"id": [str(ID_TAKEN)]})


def judge_stored(model, user, meta: RecordMeta, fresh: bool = False) -> StoreResult | None:
    """If this id is stored already: duplicate when it is the same person's same content,
    rejected (errors.id) when another person or other content holds it; else None.

    Inside a RecordBatch the ids looked up at its start answer, unless `fresh` (after the
    unique key refused an insert: someone stored the id since)."""
    batch = _batch.get()
    if batch is not None and not fresh:
        return batch.judge(model, user, meta)
    existing = find_record_by_uuid(meta.record_id)
    if existing is None:
        return None
    return _judged(isinstance(existing, model) and existing.user_id == user.id
                   and existing.content_hash == meta.content_hash, existing)


def store_once(model, user, meta: RecordMeta, build: Callable[[], object],
               then: Callable[[object], None] | None = None, bulk: bool = False) -> StoreResult:
    """Insert the record unless its id is already stored; commit on its own.

    Each record is its own transaction, so one bad record never sinks the others and a batch
    cut off mid-way replays as duplicates. Two replays racing each other both try to insert;
    the unique key lets one win and the loser reads the winner's row and answers duplicate.

    `then(record)` writes what the record moves on (a visit starting a case's work) in the
    same transaction, flushing, not committing: the record and its effect are stored together
    or not at all, so a crash between them can never leave a record whose replay answers
    duplicate while its effect is lost.

    `bulk`: the record moves nothing else, so inside a RecordBatch it is kept and inserted
    with the batch's other such records (see RecordBatch)."""

    stored = judge_stored(model, user, meta)
    if stored is not None:
        return stored
    batch = _batch.get()
    if batch is not None and bulk and then is None:
        return batch.keep(build(), model, user, meta)
    record = build()
    db.session.add(record)
    try:
        if then is not None:
            db.session.flush()  # the record's id and links, for what it moves on
            then(record)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = judge_stored(model, user, meta, fresh=True)
        if stored is None:
            raise
        return stored
    return StoreResult(CREATED, record)


# --- A sync batch ------------------------------------------------------------------------

_batch: ContextVar["RecordBatch | None"] = ContextVar("record_batch", default=None)


class RecordBatch:
    """The records of one sync batch that move nothing else, stored together.

    A liaison back from a week in the hills sends a few hundred check-ins and task logs at
    once. Stored one by one, each costs its own look-up, insert and commit (eight statements
    a record, 1.5 s for 200 on PostgreSQL). Inside a batch (`with RecordBatch(ids) as batch`)
    every id is looked up in one query at the start; a record stored with `bulk` is judged
    against that and kept; `store()` then inserts every kept record (one INSERT statement a
    table) and commits once. Records that move shared state (a visit on
    a case, a change to a request, an acknowledgement) are still stored one by one, each in
    its own transaction, as store_once says; kept records are not in the session until
    `store()`, so those commits and rollbacks never touch them.

    If the one insert fails (another request stored one of these ids in the meantime, or
    the database refused a row), nothing of it is kept and `store()` names the records to
    store again one by one, outside the batch: exactly once and one bad record never sinks
    the others still hold, the fast way being only the common case."""

    def __init__(self, record_uuids):
        self.known = stored_records(set(record_uuids))
        self.kept: list[tuple[int, object]] = []
        self.position: int | None = None  # the batch's record being stored, set by its caller
        self._token = None

    def __enter__(self):
        self._token = _batch.set(self)
        return self

    def __exit__(self, *exc):
        _batch.reset(self._token)

    def judge(self, model, user, meta: RecordMeta) -> StoreResult | None:
        seen = self.known.get(meta.record_id)
        if seen is None:
            return None
        return _judged(seen == (model, user.id, meta.content_hash))

    def keep(self, record, model, user, meta: RecordMeta) -> StoreResult:
        self.known[meta.record_id] = (model, user.id, meta.content_hash)  # the same id again: duplicate
        self.kept.append((self.position, record))
        return StoreResult(CREATED, record)

    def store(self) -> list[int]:
        """Insert and commit the kept records; the positions to store again if that failed."""
        if not self.kept:
            return []
        # Core INSERTs of the rows' values, not the ORM's unit of work: nothing here needs the
        # new rows' ids back, and asking for them makes SQLite insert one row at a time.
        rows: dict[tuple, list[dict]] = defaultdict(list)
        for _, record in self.kept:
            columns = sa.inspect(type(record)).column_attrs.keys()
            values = {key: value for key, value in vars(record).items() if key in columns}
            rows[(type(record), tuple(sorted(values)))].append(values)
        try:
            connection = db.session.connection()
            for (model, _), values in rows.items():
                # On the session's connection, in its transaction: Core's executemany, without
                # the ORM's bulk machinery (a third of a one-record sync's time). The rows of a
                # group share their keys, so each group is one statement.
                connection.execute(sa.insert(model.__table__), values)
                versions.rows_written(db.session, model.__table__.name, values)
            db.session.commit()
        except Exception:  # whatever the database refused, the slow way finds which record
            db.session.rollback()
            log.warning("sync: the batch's insert failed; its %d records are stored one by one", len(self.kept))
            return [position for position, _ in self.kept]
        return []
