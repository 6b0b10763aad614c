"""Requests per second of the production server against the ceiling of a bare Flask app.

Target (the district-scale issue): the field home and a 1-record sync each at least 0.15 ×
the requests/s of a bare Flask "hello" under the same gunicorn and the same load. Run from
the project root in the venv, with wrk from Debian (`apt-get install wrk`):

    python bench/throughput.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                               [--seconds 10] [--connections 16] [--no-readme]

What it does: makes a fresh PostgreSQL database beside the one --pg names, starts the app
with `make serve` on it (DEMO=1 loads the demo; workers from the CPU count as in
production; the per-person sync rate limit raised so the load is not refused), starts
bench/hello_app.py under the same gunicorn.conf.py, logs `liaison` in through the login
form, and drives each with wrk (2 threads, --connections, --seconds, after a 3 s warm-up):

- hello: GET / of the bare app (the ceiling);
- home: GET / of the app, logged in (the field home, drawn in full);
- me (ETag): GET /api/v1/me with the If-None-Match of its last answer (304s);
- sync 1: POST /api/v1/sync with one new check-in (a new id each request, made in wrk's Lua);
- sync 200: POST /api/v1/sync with 200 new records, half check-ins, half task logs.

Every answer is checked by status (200, or 304 for the ETag); any other fails the run. It
prints requests/s, p50 and p95 latency and the ratio to hello, and writes them into
bench/README.md. wrk runs on the same machine as the servers and takes CPU from both
alike, which is why the figures are ratios to hello measured in the same run.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402

from bench.offline_save import write_readme_section  # noqa: E402
from bench.sync_batch import postgres_database  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_RATIO = 0.15

# wrk's Lua: a request body made fresh for every request, and the answers' statuses counted
# per thread (each wrk thread has its own Lua state; done() adds them up).
LUA = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)
end
function init(args)
  bad = 0
  math.randomseed(os.time() * 100 + seed)
end
local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v) end))
end
local function checkin(n)
  return '{"id":"' .. uuid() .. '","type":"checkin","occurred_at":"' .. AT .. '","data":{"place_id":' .. PLACE ..
         ',"lat":37.4968,"lon":121.2541,"accuracy_m":18,"note":"入村走访 ' .. n .. '"}}'
end
local function task_log(n)
  return '{"id":"' .. uuid() .. '","type":"task_log","occurred_at":"' .. AT .. '","data":{"place_id":' .. PLACE ..
         ',"kind":"' .. KIND .. '","summary":"走访农户，传达防汛部署 ' .. n .. '","duration_min":30}}'
end
request = function()
  if RECORDS == 0 then return wrk.format(nil) end
  local records = {}
  for i = 1, RECORDS do records[i] = (i % 2 == 1) and checkin(i) or task_log(i) end
  return wrk.format("POST", nil, nil, '{"device_id":"bench","records":[' .. table.concat(records, ",") .. ']}')
end
response = function(status, headers, body)
  if status ~= EXPECT then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad") end
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p95_ms": %f, "bad": %d, ' ..
                         '"errors": %d}\n', summary.requests, summary.duration / 1e6,
                         latency:percentile(50) / 1000, latency:percentile(95) / 1000, bad_total,
                         summary.errors.connect + summary.errors.read + summary.errors.write +
                         summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """A server started the way production starts it, stopped with its process group."""

    def __init__(self, command: list[str], env: dict, log: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **env, "PORT": str(self.port), "HOST": "127.0.0.1"},
                                        start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{' '.join(command)} stopped: see {log}")
            try:
                requests.get(self.url + "/", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.3)
        raise SystemExit(f"{' '.join(command)} did not answer: see {log}")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def wrk(url: str, seconds: int, connections: int, headers: dict, settings: dict, folder: str) -> dict:
    script = os.path.join(folder, "bench.lua")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in settings.items()) + LUA)
    args = ["wrk", "-t2", f"-c{connections}", "-s", script, "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    subprocess.run(args + ["-d3s", url], check=True, capture_output=True)  # warm-up: pools, caches, JIT of nothing
    out = subprocess.run(args + [f"-d{seconds}s", url], check=True, capture_output=True, text=True).stdout
    result = json.loads(re.search(r"^RESULT (.+)$", out, re.M).group(1))
    if result["bad"] or result["errors"]:
        raise SystemExit(f"{url}: {result['bad']} answers with another status, {result['errors']} socket errors\n{out}")
    result["rps"] = result["requests"] / result["seconds"]
    return result


def log_in(base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    form = session.get(f"{base}/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    r = session.post(f"{base}/login", data={"csrf_token": csrf, "username": "liaison", "password": "fuxin2024"},
                     allow_redirects=False)
    assert r.status_code == 302, r.status_code
    return session, session.get(f"{base}/api/v1/me").json()["csrf_token"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL",
                                                      "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    folder = tempfile.mkdtemp(prefix="fuxin-throughput-")
    env = {"SECRET_KEY": "bench", "DEMO": "1", "SYNC_RATE_LIMIT": "1000000 per minute",
           "PHOTO_DIR": os.path.join(folder, "photos"), "RATELIMIT_KEY_PREFIX": f"bench-{os.getpid()}"}
    servers = []
    rows = []
    try:
        with postgres_database(args.pg) as url:
            app = Gunicorn(["make", "-s", "serve"], {**env, "DATABASE_URL": url}, os.path.join(folder, "app.log"))
            servers.append(app)
            hello = Gunicorn([os.path.join(ROOT, ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py",
                              "bench.hello_app:app"], {}, os.path.join(folder, "hello.log"))
            servers.append(hello)
            session, token = log_in(app.url)
            me = session.get(f"{app.url}/api/v1/me")
            place = me.json()["places"][0]["id"]
            kind = me.json()["task_kinds"][0]["code"]
            cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            at = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600 - 3600))
            common = {"PLACE": place, "KIND": kind, "AT": at, "RECORDS": 0, "EXPECT": 200}
            logged = {"Cookie": cookie}
            sync_headers = {**logged, "X-CSRFToken": token, "Content-Type": "application/json"}
            runs = [("hello (bare Flask)", hello.url + "/", {}, {}),
                    ("field home `/`", app.url + "/", logged, {}),
                    ("`/api/v1/me`, If-None-Match (304)", app.url + "/api/v1/me",
                     {**logged, "If-None-Match": me.headers["ETag"]}, {"EXPECT": 304}),
                    ("sync, 1 record", app.url + "/api/v1/sync", sync_headers, {"RECORDS": 1}),
                    ("sync, 200 records", app.url + "/api/v1/sync", sync_headers, {"RECORDS": 200})]
            results = []
            for label, target, headers, settings in runs:
                result = wrk(target, args.seconds, args.connections, headers, {**common, **settings}, folder)
                results.append((label, result))
                print(f"{label}: {result['rps']:.0f}/s, p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms",
                      flush=True)
            ceiling = results[0][1]["rps"]
            for label, result in results:
                ratio = result["rps"] / ceiling
                rows.append(f"| {label} | {result['rps']:,.0f} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
                            f"{ratio:.3f} |")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    table = ["| load | requests/s | p50 ms | p95 ms | ratio to hello |", "|---|---|---|---|---|", *rows]
    print("\n".join(table))
    if not args.no_readme:
        workers = os.environ.get("WEB_CONCURRENCY") or f"{os.cpu_count() * 2 + 1} (from the CPU count)"
        write_readme_section("throughput", "Throughput under gunicorn (bench/throughput.py)", [
            f"`make serve` on PostgreSQL (the demo), {workers} gunicorn workers, and a bare Flask hello under the "
            f"same gunicorn.conf.py; wrk with 2 threads and {args.connections} connections for {args.seconds} s "
            f"each, on the same machine. Target: the field home and a 1-record sync ≥ {TARGET_RATIO} × hello.",
            "", *table])


if __name__ == "__main__":
    main()
