"""Every page each demo login reaches (following the links it is shown, one page of each
kind), proven in the browser on the device that login works on (a 360 px phone for the
field staff, a 1024 px tablet for leaders and the admin):
- the Content-Security-Policy: no violation reported, its scripts, htmx and the outbox
  included, while an injected inline script is refused;
- the fit: no page is wider than the screen, and every control (button, field, list, the
  links drawn as buttons) is at least 44 px tall for a finger."""
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
# What a finger has to hit; a checkbox or radio is hit through its label.
FIT = """() => {
  const out = [], width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) out.push(`wider than the screen: ${document.documentElement.scrollWidth} px`);
  const controls = 'button, select, textarea, .btn, input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    if (box.width && box.height && box.height < 44 && getComputedStyle(el).visibility !== 'hidden')
      out.push(`${el.tagName.toLowerCase()}#${el.id}[name=${el.name || ''}] "${(el.innerText || '').trim().slice(0, 12)}" ${Math.round(box.height)} px`);
  }
  return out;
}"""
SKIP = re.compile(r"^/(static|photos)/|/logout$|\.(xlsx|csv|json)$|/export")
MAX_PAGES = 60


def kind_of(path: str) -> str:
    """One page of each kind: /requests/17 and /requests/18 are the same page."""
    return re.sub(r"\d+", "N", path)


TABS = 6  # pages loaded side by side: each waits out its own network idle (500 ms) at once


def crawl(context, base, start="/"):
    """Breadth first over the links the pages show, a few pages at a time, each in its own
    tab; returns the paths visited, what the browser reported and what did not fit, page by
    page."""
    seen, visited, reports, unfit = {kind_of(start)}, [], {}, {}
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
            misfits = tab.evaluate(FIT)
            if misfits:
                unfit[path] = misfits
            for href in tab.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))"):
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
                if kind_of(parts.path) not in seen:
                    seen.add(kind_of(parts.path))
                    queue.append(target)
    return visited, reports, unfit


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_no_page_a_demo_login_reaches_breaks_the_policy_or_the_fit(browser, demo_server, username):
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
        visited, reports, unfit = crawl(context, demo_server.url, urlsplit(page.url).path)
        assert reports == {}
        assert unfit == {}
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
