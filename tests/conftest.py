"""Test fixtures: an app on a fresh database per test, a client, a login helper and a small
world (a subdistrict with villages, grids, households and one person per role).

SQLite by default. With FUXIN_TEST_DB=postgres the same suite runs on TEST_DATABASE_URL in a
schema of its own, made for this run and dropped after, so parallel runs never collide.

The schema is built once per run, not per test: on SQLite each test gets a copy of a file
made once (with the seeded task kinds and request categories); on PostgreSQL each test starts
from every table emptied with its ids restarted, and the same seeds. Either way a test sees
an empty database with fresh ids, as if the tables had just been made."""
import os
import shutil
import uuid

import pytest
import sqlalchemy as sa

from fuxin_pwa import create_app
from fuxin_pwa.extensions import db
from fuxin_pwa.field.services import ensure_task_kinds
from fuxin_pwa.requests.services import ensure_request_categories
from fuxin_pwa.service_days.services import ensure_service_kinds
from tests.factories import World

ON_POSTGRES = os.environ.get("FUXIN_TEST_DB") == "postgres"
PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def pg_schema_url():
    """A fresh PostgreSQL schema for this run; None on SQLite. A run asked for PostgreSQL
    fails, never skips, when it has no URL or cannot reach the server. Its sessions commit
    without waiting for the disk (synchronous_commit off): what a commit makes visible to
    other sessions is the same, and a test's rows need not survive a crash of the server."""
    if not ON_POSTGRES:
        yield None
        return
    if not PG_URL:
        pytest.fail("FUXIN_TEST_DB=postgres but TEST_DATABASE_URL is not set")
    schema = f"fuxin_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL at TEST_DATABASE_URL cannot be reached: {error}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csynchronous_commit%3Doff%20-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _test_config(tmp_path, pg_schema_url, **extra):
    url = pg_schema_url or f"sqlite:///{tmp_path / 'test.sqlite'}"
    return {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
            "PHOTO_DIR": str(tmp_path / "photos"), "VERSIONS_URI": str(tmp_path / "versions"), **extra}


def _seed():
    ensure_task_kinds()
    ensure_request_categories()
    ensure_service_kinds()
    db.session.commit()


def _fresh_schema():
    db.drop_all()
    db.create_all()
    _seed()


def _id_tables():
    """The tables whose `id` a sequence hands out (PostgreSQL), to restart or move on."""
    return [table for table in db.metadata.sorted_tables if "id" in table.c and table.c.id.primary_key]


def _empty_tables(seed: bool = True):
    """Every table emptied and its ids restarted (PostgreSQL), then the seeds again. DELETE,
    not TRUNCATE: a test leaves a handful of rows, and TRUNCATE's new files cost ten times
    more; one DO block, so it is one round trip."""
    steps = [f'DELETE FROM "{table.name}";' for table in reversed(db.metadata.sorted_tables)]
    steps += [f"PERFORM setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), 1, false);"
              for table in _id_tables()]
    db.session.execute(sa.text("DO $$ BEGIN " + " ".join(steps) + " END $$"))
    db.session.commit()
    if seed:
        _seed()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory, pg_schema_url):
    """The schema made once for the run: a SQLite file to copy, or the PostgreSQL schema."""
    folder = tmp_path_factory.mktemp("schema")
    app = create_app(_test_config(folder, pg_schema_url))
    with app.app_context():
        _fresh_schema()
        if not pg_schema_url:  # one self-contained file: the WAL folded in before copying
            db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    return None if pg_schema_url else folder / "test.sqlite"


DEMO_SEED = 20240805


class DemoSnapshot:
    """The demo subdistrict loaded once per run, for the tests that only read it (a test
    asks for the `demo` fixture). SQLite: a file to copy. PostgreSQL: a schema of its own,
    copied table by table into the test's (INSERT … SELECT, then the id sequences moved on)."""

    def __init__(self, counts, sqlite_file=None, pg_schema=None):
        self.counts, self.sqlite_file, self.pg_schema = counts, sqlite_file, pg_schema

    def copy_into_postgres(self):
        for table in db.metadata.sorted_tables:
            db.session.execute(sa.text(f'INSERT INTO "{table.name}" SELECT * FROM "{self.pg_schema}"."{table.name}"'))
        for table in _id_tables():
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'))
        db.session.commit()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory, pg_schema_url, schema_template):
    from fuxin_pwa.demo.loader import load_demo
    folder = tmp_path_factory.mktemp("demo")
    url, schema = pg_schema_url, None
    if pg_schema_url:
        schema = pg_schema_url.rsplit("%3D", 1)[1] + "_demo"
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url = pg_schema_url.rsplit("%3D", 1)[0] + "%3D" + schema
    else:
        shutil.copyfile(schema_template, folder / "test.sqlite")
    app = create_app(_test_config(folder, url))
    with app.app_context():
        if schema:
            db.create_all()
        counts = load_demo(seed=DEMO_SEED)
        if not schema:
            db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    yield DemoSnapshot(counts, sqlite_file=None if schema else folder / "test.sqlite", pg_schema=schema)
    if schema:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def app(tmp_path, pg_schema_url, schema_template, request):
    marker = request.node.get_closest_marker("app_config")
    extra = marker.kwargs if marker else {}
    demo = request.getfixturevalue("demo_snapshot") if "demo" in request.fixturenames else None
    if schema_template is not None:
        shutil.copyfile(demo.sqlite_file if demo else schema_template, tmp_path / "test.sqlite")
    app = create_app(_test_config(tmp_path, pg_schema_url, **extra))
    with app.app_context():
        if pg_schema_url:
            if demo:
                _empty_tables(seed=False)  # the demo brings its own kinds and categories
                demo.copy_into_postgres()
            else:
                _empty_tables()
        yield app
        db.session.remove()
        if pg_schema_url and request.node.get_closest_marker("rebuilds_schema"):
            _fresh_schema()  # it dropped or migrated the tables: the next test needs them back
        db.engine.dispose()


@pytest.fixture
def demo(app, demo_snapshot):
    """The demo subdistrict in this test's database (its counts by table), as `load_demo`
    leaves it, without loading it again."""
    return dict(demo_snapshot.counts)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    return World.build()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username="liaison", password="fuxin2024", **extra):
        return self.client.post("/login", data={"username": username, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(**kw): extra Flask config for the app fixture")
    config.addinivalue_line("markers", "rebuilds_schema: the test drops or migrates the tables itself")


class QueryCounter:
    """Counts SQL statements the app runs inside a `with` block."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def count_queries(app):
    """Usage: `with count_queries() as q: client.get(...)`, then assert on q.count."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def queries_of(count_queries):
    """How many SQL statements `call()` (a request, usually) costs, counted from a cold session:
    the tests share the app's session, so each count starts with nothing already loaded. For
    "the page takes the same number of queries for a little data and for much"."""
    def measure(call) -> int:
        db.session.expire_all()
        with count_queries() as counter:
            response = call()
        assert getattr(response, "status_code", 200) == 200  # a page that failed proves nothing
        return counter.count
    return measure


@pytest.fixture
def live_server(app):
    """The real app on a free loopback port, served from a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
