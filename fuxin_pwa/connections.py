"""A pooled PostgreSQL connection is checked for life without a round trip to the server.

SQLAlchemy's `pool_pre_ping` asks the server (`SELECT 1`) at every checkout: one more wait
on PostgreSQL for every request that touches the database, a fifth of a one-record sync's.
What it guards against is a connection the server has closed while it sat in the pool (a
restart, a `pg_terminate_backend`, an idle timeout). PostgreSQL says so before it closes
(a FATAL message, then end of file), and an idle connection otherwise has nothing to read:
so a socket that is readable while the connection sits idle, or one psycopg already knows
is broken, is dead. The pool is told with `DisconnectionError`, throws the connection away
and checks out (or opens) another, as SQLAlchemy's "pessimistic" custom checkout does.

A peer that vanished without closing (a cable pulled between the app and the database)
leaves nothing to read; pre-ping would have waited for the network's timeout on that one
too, and the request's own query fails the same way, so nothing is lost by this check."""
import select

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError


def uses_idle_check(app) -> bool:
    """PostgreSQL with the configuration's pre-ping on: the check below replaces it (before
    the engine is made). SQLite (a file, no server to lose) keeps what the configuration says."""
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") or not options.get("pool_pre_ping"):
        return False
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}
    return True


def check_idle_connections(engine) -> None:
    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, _record, _proxy):
        if dbapi_connection.closed or dbapi_connection.broken:
            raise DisconnectionError("the connection was closed")
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        if readable:
            raise DisconnectionError("the server closed the connection while it was idle")
