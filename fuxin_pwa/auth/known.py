"""The people a worker has looked up recently, so that a request's first step is not a query.

Every request of a logged-in person loads their row to check the session's token (logout
and a new password end every session) and that they are still active. Under load that one
query was a quarter of what a page cost. A worker keeps a copy of each row it loaded, as
versions.kept_value keeps any value, while the shared data version stands: any change to a
person (a new token, deactivation, a new role) is a write that bumps it. The copy is merged
into the request's session without a query, so the request gets an ordinary User it may
read, change and commit.
"""
import threading

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..versions import kept_value
from .models import User

_COLUMNS = tuple(attr.key for attr in sa.inspect(User).column_attrs)
_MERGING = threading.Lock()  # merge reads the copy's state; another thread must not be merging it too


def _copy(user: User | None) -> User | None:
    if user is None:
        return None
    copy = User()
    for key in _COLUMNS:
        setattr(copy, key, getattr(user, key))
    make_transient_to_detached(copy)  # as if just loaded: merge(load=False) takes it as the row
    return copy


def _attached(copy: User) -> User:
    """The copy as this session's instance of the person, with no query. The session may
    hold the person already (just read, or a second look in one request, expired by a
    commit): its expired columns are then filled in from the copy, as a fresh read at this
    version would."""
    existing = db.session.identity_map.get(sa.inspect(copy).identity_key)
    if existing is None:
        with _MERGING:
            return db.session.merge(copy, load=False)
    for key in sa.inspect(existing).expired_attributes & set(_COLUMNS):
        set_committed_value(existing, key, getattr(copy, key))
    return existing


def person(user_id: int) -> User | None:
    """The person with this id, in this request's session: from the worker's copy while the
    shared version it was read under stands, else from the database."""
    copy = kept_value(("person", user_id), lambda: _copy(db.session.get(User, user_id)))
    return _attached(copy) if copy is not None else None
