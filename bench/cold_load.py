"""Cold load of the field home after login: bytes over the wire on a phone's first visit.

Target: at most 60 KB (61,440 bytes) for the page and everything it loads. Run from the
project root in the test venv (Debian's Chromium, as in tests/browser):

    python bench/cold_load.py [--login liaison] [--runs 3]

What is measured: the demo subdistrict in a fresh SQLite file, the real app on a loopback
port, a fresh browser context (empty HTTP cache, no service worker) that is already logged
in (the login request itself is not counted), then one load of `/`. The page's bytes are
Chrome's own count (CDP `Network.loadingFinished.encodedDataLength`: headers plus the
gzip body, as they crossed the wire). The service worker's fetches (its script, the
precache, the pages it keeps for offline use) happen after the page has loaded and do not
show in the page's network log, so they are counted on the server side and reported apart.
"""
import argparse
import logging
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
from collections import Counter
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from fuxin_pwa import create_app  # noqa: E402
from fuxin_pwa.extensions import db  # noqa: E402

TARGET_BYTES = 60 * 1024
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 360, "height": 740}


class WireCounter:
    """WSGI middleware: bytes each response puts on the wire (status line, headers, body)."""

    def __init__(self, app):
        self.app, self.log, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        seen = {}

        def start(status, headers, exc_info=None):
            seen["head"] = len(f"HTTP/1.1 {status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2
            seen["gzip"] = any(k.lower() == "content-encoding" and v == "gzip" for k, v in headers)
            return start_response(status, headers, exc_info)

        body = 0
        answer = self.app(environ, start)
        try:
            for chunk in answer:
                body += len(chunk)
                yield chunk
        finally:
            if hasattr(answer, "close"):
                answer.close()
        query = environ.get("QUERY_STRING")
        path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        with self.lock:
            self.log.append((path, seen.get("head", 0) + body, seen.get("gzip", False)))

    def take(self):
        with self.lock:
            taken, self.log = self.log, []
        return taken


def demo_app(folder):
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        from fuxin_pwa.demo.loader import load_demo
        db.create_all()
        load_demo(seed=20240805)
    return app


def log_in(context, base, username):
    form = context.request.get(f"{base}/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    answer = context.request.post(f"{base}/login", form={
        "csrf_token": token, "username": username, "password": "fuxin2024", "remember": "y"},
        max_redirects=0)
    assert answer.status == 302, f"login failed: {answer.status}"


def one_cold_load(browser, base, username, counter):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    log_in(context, base, username)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses, finished = {}, {}
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e["response"]))
    cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
    counter.take()
    page.goto(f"{base}/", wait_until="networkidle")
    page_rows = []
    for request_id, size in finished.items():
        response = responses.get(request_id, {})
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        url = urlsplit(response.get("url", "?"))
        path = url.path + ("?" + url.query if url.query else "")
        page_rows.append((path, int(size), headers.get("content-encoding", "")))
    # Then the worker installs and fills its caches in the background.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(1500)
    context.close()
    # What the server sent beyond the page's own requests was asked for by the worker (the
    # files it shares with the page came from the HTTP cache, and never reached the server).
    unclaimed = Counter(row[0] for row in page_rows)
    worker_rows = []
    for row in counter.take():
        if unclaimed[row[0]]:
            unclaimed[row[0]] -= 1
        else:
            worker_rows.append(row)
    return sorted(page_rows, key=lambda r: -r[1]), worker_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--login", default="liaison")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
    folder = tempfile.mkdtemp(prefix="fuxin-bench-")
    app = demo_app(folder)
    counter = WireCounter(app.wsgi_app)
    app.wsgi_app = counter
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    totals, worker_totals = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(args.runs):
                page_rows, worker_rows = one_cold_load(browser, base, args.login, counter)
                totals.append(sum(size for _, size, _ in page_rows))
                worker_totals.append(sum(size for _, size, _ in worker_rows))
                if run == 0:
                    print(f"Cold load of / as {args.login!r}, first run:")
                    for path, size, encoding in page_rows:
                        print(f"  {size:7,d}  {encoding or '-':5}  {path}")
                    print("  service worker, in the background (server-side count):")
                    for path, size, gzipped in worker_rows:
                        print(f"  {size:7,d}  {'gzip' if gzipped else '-':5}  {path}")
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    page_bytes = statistics.median(totals)
    print(f"\nPage, median of {args.runs}: {page_bytes:,.0f} bytes ({page_bytes / 1024:.1f} KB); "
          f"target {TARGET_BYTES / 1024:.0f} KB: {'met' if page_bytes <= TARGET_BYTES else 'MISSED'}")
    print(f"Worker's background fetches, median: {statistics.median(worker_totals):,.0f} bytes "
          f"({statistics.median(worker_totals) / 1024:.1f} KB)")
    return 0 if page_bytes <= TARGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
