"""Browser tests in Debian's Chromium, driven by Playwright (never `playwright install`)."""
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from fuxin_pwa import create_app
from tests.conftest import _test_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 1024, "height": 768}  # the service centre's
FUXIN_CENTRE = {"latitude": 37.4968, "longitude": 121.2541, "accuracy": 18}
# Playwright runs a string given to wait_for_function through eval inside the page, which the
# app's Content-Security-Policy refuses (no unsafe-eval): the tests' own contexts let their
# checks run. The policy itself is proven in contexts without this, by test_csp.py.
OWN_CHECKS = {"bypass_csp": True}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A phone in Fuxin with location allowed, Chinese UI.
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN",
            "geolocation": FUXIN_CENTRE, "permissions": ["geolocation"], "has_touch": True, **OWN_CHECKS}


@pytest.fixture
def login(page, live_server):
    def do(username="liaison", password="fuxin2024"):
        page.goto(f"{live_server.url}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    return do


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, demo_snapshot):
    """The demo subdistrict, served once for the whole module (the pages only read it)."""
    folder = tmp_path_factory.mktemp("layout")
    shutil.copyfile(demo_snapshot.sqlite_file, folder / "test.sqlite")
    app = create_app(_test_config(folder, None, WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.app = app
    yield server
    server.shutdown()
    thread.join(timeout=5)


def assert_fits(page, width):
    """The page is no wider than the screen and every visible control is a finger tall."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    small = page.evaluate("""() => [...document.querySelectorAll('main button, main .btn, main input, main select')]
        .filter(el => el.offsetParent !== null && el.type !== 'hidden' && el.type !== 'checkbox')
        .filter(el => el.getBoundingClientRect().height < 44).map(el => el.outerHTML.slice(0, 80))""")
    assert small == [], (page.url, small)
