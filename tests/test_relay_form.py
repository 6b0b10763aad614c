"""The task-log form relays directives (传达部署): it offers, as a radio each, the directives
waiting at the place it opens on, ticks the one a 待传达 card opened it for, and without
JavaScript posts the one ticked; the service worker knows which links to it it may answer
offline with the page it keeps (static/js/relay.js does the rest, tests/browser)."""
import re
from datetime import timedelta

import sqlalchemy as sa

from fuxin_pwa.directives.services import publish_directive
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.places.models import Assignment
from fuxin_pwa.timeutil import local_today
from tests.test_pwa import worker_config

TITLE = "防汛安全隐患排查部署"


def _publish(world, *places):
    return publish_directive(world.leader, TITLE, "逐户排查", local_today() + timedelta(days=4),
                             [p.id for p in places], False)


def _radios(page: str) -> list[tuple[str, bool]]:
    """(value, ticked) of each 传达部署 radio, in order."""
    return [(value, rest.endswith(" checked"))
            for value, rest in re.findall(r'type="radio" name="directive_id" value="(\d*)"([^>]*)>', page)]


def _hidden(page: str, marker: str) -> bool:
    return bool(re.search(marker + r"[^>]* hidden", page))


def test_the_form_offers_the_directive_waiting_at_the_place_it_opens_on(client, auth, world):
    directive = _publish(world, world.village_a)
    auth.login("liaison")  # one place, 东村: the form opens on it
    page = client.get("/log").get_data(as_text=True)
    assert _radios(page) == [(str(directive.id), False), ("", True)]
    assert f"传达部署：{TITLE}" in page and not _hidden(page, "data-relay-choice")
    assert _hidden(page, "data-relay-people") and _hidden(page, "data-relay-heading")
    assert 'data-relay-kind="briefing"' in page


def test_nothing_is_offered_where_nothing_waits(client, auth, world):
    _publish(world, world.village_b)
    auth.login("liaison")
    page = client.get("/log").get_data(as_text=True)
    assert _radios(page) == [("", True)] and _hidden(page, "data-relay-choice")


def test_opened_from_the_card_the_directive_is_ticked_with_the_people_reached(client, auth, world):
    db.session.add(Assignment(user_id=world.liaison.id, place_id=world.village_b.id))
    db.session.commit()
    directive = _publish(world, world.village_a, world.village_b)
    auth.login("liaison")
    page = client.get(f"/log?directive_id={directive.id}&place_id={world.village_b.id}").get_data(as_text=True)
    assert _radios(page) == [(str(directive.id), True), ("", False)]
    assert not _hidden(page, "data-relay-people") and not _hidden(page, "data-relay-heading")
    assert f'data-relay-place="{world.village_b.id}"' in page
    assert '<option selected value="briefing">' in page


def test_without_javascript_the_ticked_directive_is_relayed(client, auth, world):
    directive = _publish(world, world.village_a)
    auth.login("liaison")
    client.get("/log")
    r = client.post("/log", data={"kind": "briefing", "place_id": world.village_a.id, "summary": "村两委会上传达",
                                  "directive_id": directive.id, "people_reached": "28"})
    assert r.status_code == 302
    log = db.session.scalar(sa.select(TaskLog))
    assert (log.directive_id, log.people_reached) == (directive.id, 28)
    r = client.post("/log", data={"kind": "resident_visit", "place_id": world.village_a.id, "summary": "走访",
                                  "directive_id": ""})  # 不关联: a task log like any other
    assert r.status_code == 302
    assert db.session.scalars(sa.select(TaskLog.directive_id).order_by(TaskLog.id)).all() == [directive.id, None]


def test_the_worker_answers_only_links_whose_arguments_the_kept_page_fills_in(client):
    config = worker_config(client.get("/sw.js").get_data(as_text=True))
    assert config["offlineArgs"] == {"/checkin": ["place_id", "household_id"],
                                     "/log": ["directive_id", "place_id", "household_id"],
                                     "/requests/new": ["service_day_id"]}
