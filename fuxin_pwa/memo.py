"""Lookups remembered for the length of one request.

A person's place scope and the active task kinds are asked for by every record of a sync
batch and by several panels of one page; they are the same for the whole request, so each
is read once. Only plain values are kept (ids, codes), never ORM objects, which a commit
would expire. Any flush that writes a place, an assignment or a task kind forgets
everything remembered, so a request that changes them reads the new ones. Outside a
request (the CLI, a test calling a service) nothing is remembered."""
from typing import Callable

from flask import Flask, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

_WATCHED: tuple[type, ...] = ()


def remembered(key, compute: Callable):
    """compute(), once per request for this key."""
    store = g.get("_memo") if has_request_context() else None
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def remember(key, value) -> None:
    """Set what remembered(key, …) answers for the rest of this request (a batch looked up
    together, one query for many keys); outside a request, nothing is kept."""
    store = g.get("_memo") if has_request_context() else None
    if store is not None:
        store[key] = value


def is_remembered(key) -> bool:
    store = g.get("_memo") if has_request_context() else None
    return store is not None and key in store


def forget() -> None:
    if has_request_context() and g.get("_memo") is not None:
        g._memo = {}
        g._memo_spoiled = True


def memo_spoiled() -> bool:
    """Whether this request has written what the memo watches (then nothing kept between
    requests may answer it either: versions.kept_value)."""
    return bool(g.get("_memo_spoiled"))


def _forget_when_watched_written(session, _context) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, _WATCHED):
            forget()
            return


def init_memo(app: Flask, watched: tuple[type, ...]) -> None:
    global _WATCHED
    _WATCHED = watched

    @app.before_request
    def _start():  # g may outlive a request (a test's app context): each request starts empty
        g._memo = {}
        g._memo_spoiled = False

    if not event.contains(Session, "after_flush", _forget_when_watched_written):
        event.listen(Session, "after_flush", _forget_when_watched_written)
