"""Sessions a person can end: logging out, a new password, a reset or a deactivation ends
every session and remember-me cookie of theirs, on every device; a password an admin chose
is changed by its owner before anything else opens.

Each device is its own test client; Flask-Login's per-request user is dropped before each
request, since the test's app context (and its `g`) outlives a request."""
import pytest
import sqlalchemy as sa
from flask import g

from fuxin_pwa.auth.models import User
from fuxin_pwa.extensions import db
from tests.conftest import AuthActions


class Device:
    """A phone or a tablet: its own cookies, logging in through the real form."""

    def __init__(self, app):
        self.client = app.test_client()
        self.auth = AuthActions(self.client)

    def _fresh(self):
        g.pop("_login_user", None)

    def login(self, username="liaison", password="fuxin2024", remember=True):
        self._fresh()
        extra = {"remember": "y"} if remember else {}
        return self.auth.login(username, password, **extra)

    def get(self, url, **kw):
        self._fresh()
        return self.client.get(url, **kw)

    def post(self, url, **kw):
        self._fresh()
        return self.client.post(url, **kw)

    def logout(self):
        self._fresh()
        return self.auth.logout()

    def forget_session(self):
        """The browser was closed: only the 30-day remember-me cookie is left."""
        self.client.delete_cookie("session")

    def logged_in(self) -> bool:
        return self.get("/api/v1/me").status_code == 200


def person(username) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


@pytest.fixture
def phone(app, world):
    return Device(app)


@pytest.fixture
def tablet(app, world):
    return Device(app)


def test_logging_out_on_the_tablet_logs_the_person_out_of_her_phone_too(phone, tablet):
    phone.login()
    tablet.login()
    assert phone.logged_in() and tablet.logged_in()

    tablet.logout()
    assert not tablet.logged_in()
    assert not phone.logged_in()  # the phone's session names the old token
    phone.forget_session()
    assert not phone.logged_in()  # and its remember-me cookie does too
    assert phone.get("/").status_code == 302

    phone.login()  # a new login works at once, and only the new one counts
    assert phone.logged_in() and not tablet.logged_in()


def test_one_persons_logout_on_a_shared_tablet_leaves_the_next_persons_session(phone, tablet):
    phone.login("cadre")
    tablet.login("liaison")
    tablet.logout()
    assert phone.logged_in()


def test_a_password_reset_by_the_admin_ends_every_session_and_asks_for_a_new_password(app, phone, world):
    phone.login()
    phone.forget_session()
    assert phone.logged_in()  # remembered
    admin = Device(app)
    admin.login("admin")
    r = admin.post(f"/admin/people/{world.liaison.id}", data={
        "username": "liaison", "name": world.liaison.name, "role": "village_liaison",
        "team": "village_liaison", "password": "temporary-2468", "active": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert not phone.logged_in()

    # She logs in with the admin's password: every page sends her to choose her own first.
    r = phone.login("liaison", "temporary-2468")
    assert r.status_code == 302
    for url in ["/", "/checkin", "/my/record", "/requests/"]:
        r = phone.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/password?next="), url
    page = phone.get("/password").get_data(as_text=True)
    assert "密码是管理员设置的" in page
    r = phone.get("/checkin", headers={"HX-Request": "true"})
    assert r.headers["HX-Redirect"].startswith("/password")
    assert phone.logged_in()  # the API stays open: her phone's outbox still syncs

    r = phone.post("/password?next=/checkin", data={"current": "temporary-2468", "new": "my-own-secret-77",
                                                    "confirm": "my-own-secret-77"})
    assert r.status_code == 302 and r.headers["Location"] == "/checkin"
    assert phone.get("/checkin").status_code == 200
    assert not person("liaison").must_change_password
    phone.logout()
    assert phone.login("liaison", "temporary-2468").status_code == 200  # the admin's no longer works
    assert phone.login("liaison", "my-own-secret-77").status_code == 302


def test_a_person_created_by_the_admin_chooses_a_password_at_first_login(app, world):
    admin = Device(app)
    admin.login("admin")
    r = admin.post("/admin/people/new", data={
        "username": "newbie", "name": "新同志", "role": "grid_worker", "team": "grid_worker",
        "password": "welcome-2026-x", "active": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert person("newbie").must_change_password

    phone = Device(app)
    phone.login("newbie", "welcome-2026-x")
    assert phone.get("/").headers["Location"].startswith("/password")


def test_changing_my_password_ends_my_other_devices_and_keeps_this_one(phone, tablet):
    phone.login()
    tablet.login()
    r = tablet.post("/password", data={"current": "fuxin2024", "new": "rain-at-23h-ok", "confirm": "rain-at-23h-ok"})
    assert r.status_code == 302
    assert "其他设备上的登录已退出" in tablet.get("/").get_data(as_text=True)
    tablet.forget_session()
    assert tablet.logged_in()  # its remember-me cookie was renewed with the new token
    assert not phone.logged_in()


@pytest.mark.parametrize("data, field, message", [
    ({"current": "wrong-one", "new": "rain-at-23h-ok", "confirm": "rain-at-23h-ok"}, "current", "当前密码不正确"),
    ({"current": "fuxin2024", "new": "rain-at-23h-ok", "confirm": "rain-at-23h-no"}, "confirm", "两次输入的新密码不一致"),
    ({"current": "fuxin2024", "new": "short", "confirm": "short"}, "new", "密码至少10位"),
    ({"current": "fuxin2024", "new": "1234567890", "confirm": "1234567890"}, "new", "太常见"),
])
def test_a_refused_new_password_comes_back_with_the_reason_and_changes_nothing(phone, data, field, message):
    phone.login()
    before = person("liaison").password_hash
    r = phone.post("/password", data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and f'id="{field}-err"' in html
    assert person("liaison").password_hash == before and phone.logged_in()


def test_the_new_password_may_not_be_the_current_one(phone, world):
    world.liaison.set_password("same-as-before-1")
    db.session.commit()
    phone.login("liaison", "same-as-before-1")
    r = phone.post("/password", data={"current": "same-as-before-1", "new": "same-as-before-1",
                                      "confirm": "same-as-before-1"})
    assert r.status_code == 422 and "新密码不能与当前密码相同" in r.get_data(as_text=True)


def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(phone, world):
    phone.login()
    world.liaison = person("liaison")
    from fuxin_pwa.admin.services import apply_person
    data = {"username": "liaison", "name": world.liaison.name, "role": "village_liaison", "team": None}
    apply_person(world.liaison, data, active=False)
    db.session.commit()
    apply_person(world.liaison, data, active=True)
    db.session.commit()
    assert not phone.logged_in()
    phone.forget_session()
    assert not phone.logged_in()


def test_a_session_from_before_tokens_names_no_token_and_opens_nothing(phone, world):
    phone.login(remember=False)
    with phone.client.session_transaction() as session:
        session["_user_id"] = str(world.liaison.id)  # what a session made before held
    assert not phone.logged_in()


def test_the_page_does_not_carry_the_session_token(phone, world):
    phone.login()
    html = phone.get("/").get_data(as_text=True)
    assert person("liaison").session_token not in html


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_guessing_the_current_password_is_held_like_a_login(phone):
    # Someone holding her unlocked phone guesses her password on the change form: the
    # failures count with the login's, and then the right one is held too.
    phone.login()
    for _ in range(10):
        assert phone.post("/password", data={"current": "guess-1234", "new": "rain-at-23h-ok",
                                             "confirm": "rain-at-23h-ok"}).status_code == 422
    r = phone.post("/password", data={"current": "fuxin2024", "new": "rain-at-23h-ok", "confirm": "rain-at-23h-ok"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in r.get_data(as_text=True)
    assert person("liaison").check_password("fuxin2024")
