"""The people a worker has looked up recently, so that a request's first step is not a query.

Every request of a logged-in person loads their row to check the session's token (logout
and a new password end every session) and that they are still active. Under load that one
query was a quarter of what a page cost. A worker keeps a copy of each row it loaded with
the shared data version (versions.py) it read it under, and uses the copy while that
version stands: any change to a person (a new token, deactivation, a new role) is a write
that bumps it. The copy is merged into the request's session without a query, so the
request gets an ordinary User it may read, change and commit. KEEP_SECONDS bounds how long
a copy is trusted at all, for writes made outside the app.
"""
import threading
import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .. import versions
from ..extensions import db
from .models import User

_COLUMNS = tuple(attr.key for attr in sa.inspect(User).column_attrs)


class _Known:
    __slots__ = ("version", "at", "copy")

    def __init__(self, version, at, copy):
        self.version, self.at, self.copy = version, at, copy


def _copy(user: User) -> User:
    copy = User()
    for key in _COLUMNS:
        setattr(copy, key, getattr(user, key))
    make_transient_to_detached(copy)  # as if just loaded: merge(load=False) takes it as the row
    return copy


def _attached(copy: User) -> User:
    """The copy as this session's instance of the person, with no query. The session may
    hold the person already (a second look in one request), expired by a commit: its
    columns are then filled in from the copy, as a fresh read at this version would."""
    existing = db.session.identity_map.get(sa.inspect(copy).identity_key)
    if existing is None:
        return db.session.merge(copy, load=False)
    for key in sa.inspect(existing).expired_attributes & set(_COLUMNS):
        set_committed_value(existing, key, getattr(copy, key))
    return existing


def _known() -> tuple[dict, threading.Lock]:
    found = current_app.extensions.get("fuxin_known_people")
    if found is None:
        found = current_app.extensions.setdefault("fuxin_known_people", ({}, threading.Lock()))
    return found


def person(user_id: int) -> User | None:
    """The person with this id, in this request's session: from the worker's copy while the
    shared version it was read under stands, else from the database."""
    shared, _own = versions.current(user_id)
    people, lock = _known()
    now = time.time()
    known = people.get(user_id)
    if known is not None and known.version == shared and now - known.at < current_app.config["KEEP_SECONDS"]:
        with lock:  # merge reads the copy's state; another thread must not be merging it too
            return _attached(known.copy)
    user = db.session.get(User, user_id)
    if user is not None:
        with lock:
            if len(people) > 10_000:  # a bound on a worker's memory, never reached by a subdistrict
                people.clear()
            people[user_id] = _Known(shared, now, _copy(user))
    return user
