"""Duty rosters on a phone (360 px) and a tablet (1024 px): the people picker is a checkbox
row per person, 44 px to tap, and typing part of a name filters it; the new pages (holiday
calendar, a roster's 延长、重排或删除, a group's edit, the exchange on the swap page) never
scroll sideways."""
from datetime import timedelta

import pytest

from fuxin_pwa.duty.models import StandbyGroup
from fuxin_pwa.duty.services import RosterRule, add_group, build_roster
from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import local_today
from tests.test_duty_plan import DAY, NIGHT

SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"


def _roster(world):
    roster = build_roster(world.leader, RosterRule(
        "site_guard", "东村值守", world.village_a.id, local_today() + timedelta(days=1), 3, [DAY, NIGHT], 1,
        [world.cadre.id, world.liaison_b.id, world.grid.id]))
    add_group(roster, "第1组", world.cadre.id, [world.liaison.id])
    return roster


@pytest.mark.parametrize("width", [360, 1024])
def test_the_new_duty_pages_fit_and_the_picker_filters_by_name(page, live_server, login, world, width):
    page.set_viewport_size({"width": width, "height": 800})
    roster = _roster(world)
    group = db.session.get(StandbyGroup, roster.groups[0].id)
    login("leader")
    page.goto(f"{live_server.url}/duty/new")
    rows = page.locator("[data-duty-picker] label.check")
    assert rows.count() >= 4
    assert all(rows.nth(i).bounding_box()["height"] >= 44 for i in range(rows.count()))
    box = page.locator("[data-duty-filter]")
    assert box.is_visible() and box.bounding_box()["height"] >= 44
    box.fill("孙")
    visible = [rows.nth(i).inner_text() for i in range(rows.count()) if rows.nth(i).is_visible()]
    assert visible and all("孙" in text for text in visible)
    assert not page.evaluate(SIDEWAYS)
    for url in ("/duty/holidays", f"/duty/{roster.id}/manage", f"/duty/{roster.id}/delete",
                f"/duty/groups/{group.id}/edit", f"/duty/{roster.id}"):
        page.goto(f"{live_server.url}{url}")
        assert not page.evaluate(SIDEWAYS), url
        for button in page.locator("main button, main .btn").all():
            if button.is_visible():
                assert button.bounding_box()["height"] >= 44 - 0.5, (url, button.inner_text())
    page.context.clear_cookies()  # a second person on the phone
    login("cadre")
    page.goto(f"{live_server.url}/duty/shifts/{roster.shifts[0].id}/swap")
    assert page.locator("#offer").is_visible() and not page.evaluate(SIDEWAYS)
