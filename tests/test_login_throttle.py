"""Failed logins are counted per account and per address: after 10 failures for a name in 15
minutes, further tries get 429 with the time to try again; the same tablet still lets the
next person in; once the window has passed, the right password works again.

The clock of the rate limiter's memory store is the test's (a fake `time` in that module),
so "15 minutes later" is exact, not slept; tests/test_two_servers.py proves the same
counting on Redis across two servers."""
import re
import time

import pytest
from limits.storage import memory

from tests.factories import make_user


class Clock:
    """Starts at the real time (the page and Retry-After are reckoned from the wall clock)
    and moves only when a test moves it."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def __getattr__(self, name):  # anything else the store asks of `time`
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(memory, "time", fake)
    return fake


throttled = pytest.mark.app_config(RATELIMIT_ENABLED=True)


def fail(auth, username, times):
    for _ in range(times):
        r = auth.login(username, "wrong-password")
        assert r.status_code == 200 and "用户名或密码不正确" in r.get_data(as_text=True)


@throttled
def test_ten_failures_hold_the_account_even_for_the_right_password_and_say_until_when(
        client, auth, world, clock):
    fail(auth, "liaison", 10)
    r = auth.login("liaison", "fuxin2024")
    page = r.get_data(as_text=True)
    assert r.status_code == 429
    assert re.search(r"登录失败次数过多，请在 \d\d:\d\d 后再试", page)
    assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60 + 1
    assert 'value="liaison"' in page  # the form comes back filled


@throttled
def test_the_next_person_on_the_same_tablet_is_not_held_by_someone_elses_lockout(client, auth, world, clock):
    fail(auth, "liaison", 10)
    assert auth.login("liaison", "fuxin2024").status_code == 429
    r = auth.login("cadre", "fuxin2024")
    assert r.status_code == 302  # in


@throttled
def test_after_the_window_the_right_password_works_again_and_clears_the_count(client, auth, world, clock):
    fail(auth, "liaison", 10)
    clock.now += 15 * 60 - 5
    assert auth.login("liaison", "fuxin2024").status_code == 429  # still inside the window
    clock.now += 10
    assert auth.login("liaison", "fuxin2024").status_code == 302
    auth.logout()
    fail(auth, "liaison", 9)  # the success cleared the count: nine more do not hold her
    assert auth.login("liaison", "fuxin2024").status_code == 302


@throttled
def test_nine_failures_do_not_hold_anyone(client, auth, world, clock):
    fail(auth, "liaison", 9)
    assert auth.login("liaison", "fuxin2024").status_code == 302


@throttled
def test_a_name_that_does_not_exist_is_held_the_same_way(client, auth, world, clock):
    fail(auth, "nobody", 10)
    r = auth.login("nobody", "whatever")
    assert r.status_code == 429 and "登录失败次数过多" in r.get_data(as_text=True)


@throttled
def test_the_name_is_counted_whatever_its_case_or_spaces(client, auth, world, clock):
    fail(auth, "Liaison", 5)
    fail(auth, " liaison ", 5)
    assert auth.login("liaison", "fuxin2024").status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_FAILS_PER_ADDRESS="12 per 15 minutes")
def test_an_address_guessing_across_many_names_is_held_too(client, auth, world, clock):
    for n in range(12):
        fail(auth, f"guess{n}", 1)
    make_user("newcomer", "grid_worker", name="新来的")
    r = auth.login("newcomer", "fuxin2024")
    assert r.status_code == 429


def test_with_the_limiter_off_nothing_is_counted(client, auth, world):
    fail(auth, "liaison", 12)
    assert auth.login("liaison", "fuxin2024").status_code == 302
