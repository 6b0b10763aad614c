"""Logging in and out, in the rain: remembered for 30 days, never sent off-site."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from fuxin_pwa.extensions import db


def test_login_lands_a_liaison_on_the_field_home(client, auth, world):
    r = auth.login("liaison")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "签到" in page and "记一笔" in page and "赵包村" in page


def test_leader_lands_on_the_weeks_coverage(client, auth, world):
    auth.login("leader")
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/coverage/")


def test_wrong_password_comes_back_with_a_chinese_error_and_the_username(client, world):
    r = client.post("/login", data={"username": "liaison", "password": "nope"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "用户名或密码不正确" in page and 'value="liaison"' in page


def test_passwords_are_stored_with_a_strong_salted_hash(world):
    # The test people carry a cheap hash (tests/factories.py); a password set by the app does not.
    world.liaison.set_password("雨夜值守2024")
    stored = world.liaison.password_hash
    method, salt, digest = stored.split("$")
    assert method.startswith("scrypt:") and int(method.split(":")[1]) >= 2 ** 15  # werkzeug's default cost
    assert len(salt) >= 16 and "雨夜值守2024" not in stored
    world.liaison.set_password("雨夜值守2024")
    assert world.liaison.password_hash != stored  # a new salt each time
    assert world.liaison.check_password("雨夜值守2024") and not world.liaison.check_password("雨夜值守2025")


def test_an_inactive_person_cannot_log_in_and_is_logged_out_when_deactivated(client, auth, world):
    auth.login("liaison")
    assert client.get("/").status_code == 200
    world.liaison.active = False
    db.session.commit()
    assert client.get("/").status_code == 302  # the session no longer counts
    r = auth.login("liaison")
    assert r.status_code == 200 and "该账号已停用" in r.get_data(as_text=True)


def test_remember_me_sets_a_30_day_cookie(client, auth, world):
    from email.utils import parsedate_to_datetime
    r = auth.login("liaison", remember="y")
    [cookie] = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    lifetime = expires - datetime.now(timezone.utc)
    assert timedelta(days=30) - timedelta(minutes=1) < lifetime <= timedelta(days=30)
    assert "HttpOnly" in cookie


def test_without_remember_me_the_login_ends_with_the_browser(client, auth, world):
    r = auth.login("liaison")
    assert not [h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    [session_cookie] = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert "Expires=" not in session_cookie and "Max-Age=" not in session_cookie


def test_remember_me_survives_a_lost_session(app, auth, client, world):
    auth.login("liaison", remember="y")
    client.delete_cookie("session")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("target, expected", [
    ("/my/record", "/my/record"),
    ("/checkin?place_id=2", "/checkin?place_id=2"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_goes_to_this_site(client, world, target, expected):
    r = client.post("/login?next=" + target, data={"username": "liaison", "password": "fuxin2024"})
    assert r.status_code == 302 and r.headers["Location"] == expected


def test_logged_out_page_request_goes_to_login_with_next(client, world):
    r = client.get("/my/record?q=东村")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")


def test_expired_session_on_an_htmx_request_redirects_the_whole_page(client, world):
    r = client.get("/my/record?q=x", headers={"HX-Request": "true"})
    assert r.status_code == 401
    assert r.headers["HX-Redirect"].startswith("/login?next=")
    assert r.get_data(as_text=True) == ""  # nothing to swap into the fragment


def test_logout_ends_the_session(client, auth, world):
    auth.login("liaison")
    r = auth.logout()
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_logout_is_post_only(client, auth, world):
    auth.login("liaison")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_healthz_answers_ok_once_the_database_is_reachable(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    from fuxin_pwa import create_app
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-dir/x/fuxin.sqlite"})
    r = app.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"


def test_logout_also_ends_remember_me(client, auth, world):
    auth.login("liaison", remember="y")
    r = auth.logout()
    cleared = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "1970" in cleared[0])
    assert client.get("/").status_code == 302  # not logged straight back in


def test_htmx_history_restore_gets_the_whole_page(client, auth, world):
    auth.login("liaison")
    r = client.get("/my/record", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in r.get_data(as_text=True)
