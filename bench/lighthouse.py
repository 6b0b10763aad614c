"""Lighthouse on the field pages, logged in, at Lighthouse's default mobile settings.

Target (the issue): performance, accessibility and best practices each at least 95 on the
field home `/`. Run from the project root in the test venv (it needs `requests`):

    python bench/lighthouse.py [--login liaison] [--runs 3] [/ /checkin /log]

What it does: installs Lighthouse 12.8 from the npm registry into bench/node_modules (once;
git-ignored; 13.x needs Node 22), builds a fresh SQLite database with `flask db upgrade`
and `flask demo load`, serves the app with gunicorn on a free loopback port, logs in with
`requests` and hands the session cookie to Lighthouse as an extra header (Lighthouse's own
Chrome profile is empty), runs Lighthouse on each page in Debian's Chromium with the
categories performance, accessibility and best-practices (12.x has no PWA category), and
prints the median score of the runs and every audit that did not pass. The JSON reports
go to bench/results/lighthouse/ (git-ignored). The server is stopped at the end.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
LIGHTHOUSE = os.path.join(BENCH, "node_modules", ".bin", "lighthouse")
LIGHTHOUSE_SPEC = "lighthouse@12.8"
REPORTS = os.path.join(BENCH, "results", "lighthouse")
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGET = 95
# Headless, no sandbox (root in a container), and no calls home: this machine reaches no
# Google service, and Chromium's background fetches would only fail and add noise.
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
METRICS = (("first-contentful-paint", "FCP"), ("largest-contentful-paint", "LCP"),
           ("total-blocking-time", "TBT"), ("cumulative-layout-shift", "CLS"), ("speed-index", "SI"))


def ensure_lighthouse():
    """Lighthouse 12.8 in bench/node_modules; installed from the npm registry when missing."""
    version = ""
    if os.path.exists(LIGHTHOUSE):
        version = subprocess.run([LIGHTHOUSE, "--version"], capture_output=True, text=True).stdout.strip()
    if not version.startswith("12.8."):
        subprocess.run(["npm", "install", "--prefix", BENCH, "--no-audit", "--no-fund", LIGHTHOUSE_SPEC],
                       check=True)
        version = subprocess.run([LIGHTHOUSE, "--version"], capture_output=True, text=True).stdout.strip()
    return version


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env, *args):
    """A `flask` command of the app; its output (alembic's log) only when it fails."""
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"flask {' '.join(args)} failed")


def start_server(folder):
    """A fresh database with the demo subdistrict, served by gunicorn as in production."""
    env = {**os.environ, "FLASK_APP": "wsgi.py", "SECRET_KEY": "bench-lighthouse",
           "DATABASE_URL": f"sqlite:///{folder}/lighthouse.sqlite", "PHOTO_DIR": f"{folder}/photos"}
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/login", timeout=2).ok:
                return server, base
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise SystemExit("the app did not start")
        time.sleep(0.2)


def session_cookie(base, username):
    """Log in as a person would (the form, its CSRF token) and return the Cookie header."""
    with requests.Session() as http:
        form = http.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        answer = http.post(f"{base}/login", allow_redirects=False, data={
            "csrf_token": token, "username": username, "password": "fuxin2024"})
        if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
            raise SystemExit(f"login as {username} failed: {answer.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def lighthouse(url, cookie, out):
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"}
    subprocess.run([LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
                    f"--extra-headers={json.dumps({'Cookie': cookie})}"], env=env, check=True)
    with open(out, encoding="utf-8") as handle:
        return json.load(handle)


def not_passed(report):
    """(category, score, audit id, title) of each scored audit below full marks."""
    found = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1 \
                    and audit["scoreDisplayMode"] in ("binary", "numeric", "metricSavings"):
                found.append((category, audit["score"], ref["id"], audit["title"]))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=["/", "/checkin", "/log"])
    parser.add_argument("--login", default="liaison")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is reported")
    args = parser.parse_args()
    version = ensure_lighthouse()
    chromium = subprocess.run([shutil.which("chromium") or "/usr/bin/chromium", "--version"],
                              capture_output=True, text=True).stdout.strip()
    print(f"Lighthouse {version}, {chromium}; mobile (Lighthouse's defaults), as {args.login!r}")
    os.makedirs(REPORTS, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="fuxin-lighthouse-")
    server, base = start_server(folder)
    results = {}
    try:
        cookie = session_cookie(base, args.login)
        for path in args.pages:
            name = path.strip("/").replace("/", "-") or "home"
            reports = [lighthouse(base + path, cookie, os.path.join(REPORTS, f"{name}-{run + 1}.json"))
                       for run in range(args.runs)]
            landed = {r["finalDisplayedUrl"] for r in reports}
            if landed != {base + path}:
                raise SystemExit(f"{path} ended at {landed}: not logged in?")
            results[path] = reports
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    met = True
    for path, reports in results.items():
        scores = {c: statistics.median(round(r["categories"][c]["score"] * 100) for r in reports)
                  for c in CATEGORIES}
        metrics = {label: statistics.median(r["audits"][key]["numericValue"] for r in reports)
                   for key, label in METRICS}
        runs = " | ".join("/".join(str(round(r["categories"][c]["score"] * 100)) for c in CATEGORIES)
                          for r in reports)
        print(f"\n{path}  (median of {len(reports)} runs; each run: {runs})")
        print("  " + "   ".join(f"{c} {scores[c]:.0f}" for c in CATEGORIES))
        print("  " + "   ".join(f"{label} {value:.3f}" if label == "CLS" else f"{label} {value:.0f} ms"
                                for label, value in metrics.items()))
        failing = sorted({(c, a, t) for r in reports for c, _s, a, t in not_passed(r)})
        for category, audit, title in failing:
            print(f"    not passed ({category}): {audit} — {title}")
        if path == "/":
            met = all(scores[c] >= TARGET for c in CATEGORIES)
    print(f"\nTarget: each category ≥ {TARGET} on /: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
