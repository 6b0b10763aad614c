"""The Content-Security-Policy, proven in the browser: every page each demo login reaches
(following the links it is shown, one page of each kind) loads with no violation reported,
its scripts, htmx and the outbox included, while an injected inline script is refused."""
import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from fuxin_pwa.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.browser.conftest import PHONE

# Installed before any script of each page: every violation the page reports.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""
SKIP = re.compile(r"^/(static|photos)/|/logout$|\.(xlsx|csv|json)$|/export")
MAX_PAGES = 60


def kind_of(path: str) -> str:
    """One page of each kind: /requests/17 and /requests/18 are the same page."""
    return re.sub(r"\d+", "N", path)


TABS = 6  # pages loaded side by side: each waits out its own network idle (500 ms) at once


def crawl(context, base, start="/"):
    """Breadth first over the links the pages show, a few pages at a time, each in its own
    tab; returns the paths visited and what the browser reported, page by page."""
    seen, visited, reports = {kind_of(start)}, [], {}
    queue = deque([start])
    tabs = [context.pages[0]] + [context.new_page() for _ in range(TABS - 1)]
    while queue and len(visited) < MAX_PAGES:
        wave = [queue.popleft() for _ in range(min(len(queue), TABS, MAX_PAGES - len(visited)))]
        loading = [(tab, path, tab.goto(base + path, wait_until="commit")) for tab, path in zip(tabs, wave)]
        for tab, path, response in loading:
            tab.wait_for_load_state("networkidle")
            assert response.ok, (path, response.status)
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy and "unsafe" not in policy, path
            visited.append(path)
            found = tab.evaluate("window.__csp")
            if found:
                reports[path] = found
            for href in tab.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))"):
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
                if kind_of(parts.path) not in seen:
                    seen.add(kind_of(parts.path))
                    queue.append(target)
    return visited, reports


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_no_page_a_demo_login_reaches_breaks_the_policy(browser, demo_server, username):
    context = browser.new_context(viewport=PHONE if username not in ("admin", "leader") else
                                  {"width": 1024, "height": 768}, locale="zh-CN", service_workers="block")
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto(f"{demo_server.url}/login")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        visited, reports = crawl(context, demo_server.url, urlsplit(page.url).path)
        assert reports == {}
        assert len(visited) >= (8 if username in ("admin", "leader") else 5), visited
    finally:
        context.close()


def test_an_injected_inline_script_is_refused(browser, demo_server):
    """The check above would pass on a page with no policy at all: this one proves the policy
    bites, with the same watch."""
    context = browser.new_context(service_workers="block")
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto(f"{demo_server.url}/login")
        page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__ran = true';
            document.body.appendChild(s);
            const d = document.createElement('div');
            d.innerHTML = '<img src="x" onerror="window.__ran = true">';
            document.body.appendChild(d);
        }""")
        page.wait_for_function("window.__csp.length >= 2")
        assert page.evaluate("window.__ran") is None
        assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
    finally:
        context.close()
