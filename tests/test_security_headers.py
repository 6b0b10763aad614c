"""The browser locked down (first part): headers on every answer, a new session and CSRF
secret at login, and the same work for a wrong name as for a wrong password."""
import re

import pytest
import requests

from fuxin_pwa.auth import models as auth_models

PAGES = ["/login", "/", "/checkin", "/api/v1/me", "/sw.js", "/manifest.webmanifest", "/offline",
         "/static/css/app.css", "/cases/99999"]


@pytest.mark.parametrize("url", PAGES)
def test_every_answer_forbids_framing_sniffing_and_telling_other_sites_where_one_came_from(client, auth, world, url):
    auth.login("liaison")
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"):
        assert directive in csp, (url, csp)
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in r.headers["Permissions-Policy"] and "camera=(self)" in r.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP here: never tell a browser to refuse it


@pytest.mark.app_config(SESSION_COOKIE_SECURE=True)
def test_behind_https_the_browser_is_told_to_keep_to_it(client):
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_logging_in_renews_the_session_and_its_csrf_secret(live_server, world):
    """Through a real server (each request in its own context, as in production)."""
    browser = requests.Session()
    before = csrf_of(browser.get(f"{live_server.url}/login").text)
    r = browser.post(f"{live_server.url}/login", allow_redirects=False,
                     data={"csrf_token": before, "username": "liaison", "password": "fuxin2024"})
    assert r.status_code == 302
    after = browser.get(f"{live_server.url}/api/v1/me").json()["csrf_token"]
    sync = f"{live_server.url}/api/v1/sync"
    # What a page saw before the login (on a shared tablet, say) is no good after it.
    stale = browser.post(sync, json={"records": []}, headers={"X-CSRFToken": before})
    assert stale.status_code == 403 and stale.json()["error"] == "csrf"
    assert browser.post(sync, json={"records": []}, headers={"X-CSRFToken": after}).status_code == 200


def test_logging_in_keeps_the_language_chosen_before(client, world):
    client.get("/login?lang=en")
    client.post("/login", data={"username": "liaison", "password": "fuxin2024"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_a_wrong_name_costs_the_same_password_check_as_a_wrong_password(client, world, monkeypatch):
    checked = []
    real = auth_models.check_password_hash

    def counting(hashed, password):
        checked.append(hashed.split("$")[0])
        return real(hashed, password)
    monkeypatch.setattr(auth_models, "check_password_hash", counting)
    for username in ("liaison", "nobody-by-this-name"):
        r = client.post("/login", data={"username": username, "password": "wrong"})
        assert "用户名或密码不正确" in r.get_data(as_text=True)  # the same words for both
    assert len(checked) == 2
    # With no such person, the check is against a hash of the app's own kind (what every
    # password the app sets is hashed with), so it takes the time a real one takes.
    assert checked[1] == auth_models.generate_password_hash("x").split("$")[0]
