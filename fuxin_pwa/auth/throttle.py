"""Failed logins, counted per account and per address across every app server.

The counts live in the rate limiter's store (RATELIMIT_STORAGE_URI: process memory on one
server, Redis for several), so tries spread over servers are counted together. Only
failures count: a person who types the right password is never held up by how many others
logged in from the same service-centre tablet. An account that failed LOGIN_FAILS_PER_ACCOUNT
times within the window is held (429, with the time to try again) whatever is typed, the
right password included, until the oldest failure leaves the window; an address that failed
LOGIN_FAILS_PER_ADDRESS times (guessing across many names) likewise. A success clears the
account's count. Unknown names are counted like known ones, so the answer says nothing about
which names exist."""
from datetime import datetime, timedelta

from flask import current_app, request
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from ..extensions import limiter


def _window():
    if not limiter.enabled:
        return None
    return MovingWindowRateLimiter(limiter.storage)


def _rules(username: str):
    name = username.strip().lower()[:150]
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]  # several apps may share one Redis
    return [(parse(current_app.config["LOGIN_FAILS_PER_ACCOUNT"]), (prefix, "login-fail-account", name)),
            (parse(current_app.config["LOGIN_FAILS_PER_ADDRESS"]),
             (prefix, "login-fail-address", request.remote_addr or "-"))]


def held_until(username: str) -> datetime | None:
    """When this account (or this address) may try again, if it is held now."""
    window = _window()
    if window is None:
        return None
    held = [window.get_window_stats(item, *ids).reset_time for item, ids in _rules(username)
            if not window.test(item, *ids)]
    return datetime.fromtimestamp(max(held)).astimezone() if held else None


def note_failure(username: str) -> None:
    window = _window()
    if window is not None:
        for item, ids in _rules(username):
            window.hit(item, *ids)


def note_success(username: str) -> None:
    window = _window()
    if window is not None:
        item, ids = _rules(username)[0]
        window.clear(item, *ids)


def seconds_until(moment: datetime) -> int:
    return max(1, int((moment - datetime.now().astimezone()) / timedelta(seconds=1)) + 1)
