"""Two app servers on one database and one Redis, each started with `make serve` as an
operator would: nothing a request needs lives in one process. The same batch sent to both
at once is stored once; failed logins spread over both are counted together; a check-in
synced through one is on the leader's coverage page served by the other.

On the PostgreSQL run the servers share a fresh schema that `make serve` migrates itself
(`flask db upgrade`), on the SQLite run a fresh file; the first server is started with
DEMO=1 and loads the demo into it. Redis must answer at REDIS_URL (default
redis://127.0.0.1:6379/0): a run that cannot reach it fails, it never skips."""
import os
import re
import signal
import socket
import subprocess
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import ON_POSTGRES, PG_URL
from tests.test_sync import checkin, now_iso

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.xdist_group("two_servers")  # one pair of servers for the module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path_factory.mktemp('two-servers') / 'fuxin.sqlite'}"
        return
    schema = f"fuxin_two_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="module")
def redis_prefix():
    import redis
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis does not answer at {REDIS_URL}: {exc}")
    prefix = f"fuxin-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


class Server:
    def __init__(self, env: dict, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(["make", "-s", "serve"], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **env, "PORT": str(self.port), "HOST": "127.0.0.1"},
                                        start_new_session=True)

    def wait_ready(self, log_path, seconds=240):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, open(log_path).read()[-3000:]
            try:
                # Workers still booting on a loaded machine accept the connection and answer
                # late: that is "not yet", like a refused connection, until the deadline.
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.25)
        pytest.fail(f"make serve did not answer within {seconds} s: {open(log_path).read()[-3000:]}")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture(scope="module")
def servers(database_url, redis_prefix, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "two-servers-share-this", "WEB_CONCURRENCY": "2",
           "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix,
           "PHOTO_DIR": str(folder / "photos")}
    started = []
    try:
        for n, extra in enumerate(({"DEMO": "1"}, {})):  # one after the other: the first migrates and loads
            log_path = folder / f"server{n}.log"
            server = Server({**env, **extra}, log_path)
            started.append(server)
            server.wait_ready(log_path)
        yield started
    finally:
        for server in started:
            server.stop()


def try_login(server, username, password, session=None):
    """The login form as a browser sends it, CSRF token and all (these servers run as in production)."""
    session = session or requests.Session()
    form = session.get(f"{server.url}/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    return session, session.post(f"{server.url}/login", allow_redirects=False,
                                 data={"csrf_token": csrf, "username": username, "password": password})


def logged_in(server, username, password="fuxin2024"):
    session, r = try_login(server, username, password)
    assert r.status_code == 302, r.status_code
    return session


def token(session, server):
    return session.get(f"{server.url}/api/v1/me").json()["csrf_token"]


def test_the_same_batch_sent_to_both_servers_at_once_is_stored_once(servers, database_url):
    a, b = servers
    phone = logged_in(a, "liaison")  # one session cookie, good on either server
    place = phone.get(f"{a.url}/api/v1/me").json()["places"][0]["id"]
    batch = [checkin(place, note=f"两台服务器 {i}") for i in range(30)]
    body = {"device_id": "phone-1", "sent_at": now_iso(), "records": batch}
    headers = {"X-CSRFToken": token(phone, a)}
    import threading
    answers, gate = {}, threading.Barrier(2)

    def send(server):
        gate.wait()
        answers[server.port] = phone.post(f"{server.url}/api/v1/sync", json=body, headers=headers, timeout=60)
    threads = [threading.Thread(target=send, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [answers[s.port].status_code for s in servers] == [200, 200]
    for position in range(len(batch)):
        seen = sorted(answers[s.port].json()["results"][position]["status"] for s in servers)
        assert seen == ["created", "duplicate"]
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM checkins WHERE uuid IN :ids")
                              .bindparams(sa.bindparam("ids", expanding=True)), {"ids": [r["id"] for r in batch]})
        assert stored.scalar() == 30
    engine.dispose()


def test_failed_logins_spread_over_both_servers_are_counted_together(servers):
    a, b = servers
    for n in range(10):
        server = (a, b)[n % 2]  # five on each: neither alone has seen ten
        _, r = try_login(server, "community", "wrong")
        assert r.status_code == 200 and "用户名或密码不正确" in r.text
    for server in (a, b):
        _, r = try_login(server, "community", "fuxin2024")
        assert r.status_code == 429 and "登录失败次数过多" in r.text and int(r.headers["Retry-After"]) > 0
    assert logged_in(b, "grid")  # someone else is not held


def test_a_checkin_synced_through_one_server_is_on_the_leaders_coverage_page_on_the_other(servers, database_url):
    a, b = servers
    phone = logged_in(a, "liaison")
    place = phone.get(f"{a.url}/api/v1/me").json()["places"][0]["id"]
    note = f"经服务器一同步 {uuid.uuid4().hex[:6]}"
    r = phone.post(f"{a.url}/api/v1/sync", json={"sent_at": now_iso(), "records": [checkin(place, note=note)]},
                   headers={"X-CSRFToken": token(phone, a)})
    assert r.json()["results"][0]["status"] == "created"
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        liaison_id = conn.execute(sa.text("SELECT id FROM users WHERE username = 'liaison'")).scalar()
    engine.dispose()
    leader = logged_in(b, "leader")
    page = leader.get(f"{b.url}/coverage/cell", params={"user_id": liaison_id, "place_id": place}).text
    assert note in page


def test_a_logout_through_one_server_ends_the_session_the_other_server_knew(servers, redis_prefix):
    """Each server's workers keep the people they looked up (auth/known.py) while the shared
    data version stands; a logout bumps it in the Redis both servers use."""
    import redis

    a, b = servers
    phone = logged_in(a, "liaison")
    tablet = logged_in(b, "liaison")
    for _ in range(4):  # every worker of the second server has looked her up
        assert tablet.get(f"{b.url}/", allow_redirects=False).status_code == 200
    assert phone.post(f"{a.url}/logout", data={"csrf_token": token(phone, a)},
                      allow_redirects=False).status_code == 302
    for _ in range(4):
        assert tablet.get(f"{b.url}/", allow_redirects=False).status_code == 302
    assert redis.Redis.from_url(REDIS_URL).get(f"{redis_prefix}:version:all") is not None
