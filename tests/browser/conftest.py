"""Browser tests in Debian's Chromium, driven by Playwright (never `playwright install`)."""
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = {"width": 360, "height": 740}
FUXIN_CENTRE = {"latitude": 37.4968, "longitude": 121.2541, "accuracy": 18}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A phone in Fuxin with location allowed, Chinese UI.
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN",
            "geolocation": FUXIN_CENTRE, "permissions": ["geolocation"], "has_touch": True}


@pytest.fixture
def login(page, live_server):
    def do(username="liaison", password="fuxin2024"):
        page.goto(f"{live_server.url}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    return do
