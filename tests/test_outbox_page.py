"""The outbox's server side: the /outbox shell, the badge and the hooks on the field forms.
What the outbox does on the phone is proven in Chromium (tests/browser/test_outbox.py)."""
import re

import pytest


def test_the_outbox_page_renders_for_anyone_and_holds_no_ones_data(client, world):
    # The records are on the device: a person whose session ended must still reach them.
    r = client.get("/outbox")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "data-outbox-page" in html and "立即同步" in html
    assert "<noscript>" in html  # without JS it says why it is empty
    assert "data-outbox-badge" not in html  # no session, no badge (nothing to sync as nobody)
    assert re.search(r'data-outbox-script="/static/js/outbox-page\.js\?v=\w+"', html)


def test_a_logged_in_page_carries_the_badge_and_the_outbox_scripts(client, auth, world):
    auth.login("liaison")
    html = client.get("/outbox").get_data(as_text=True)
    assert 'data-outbox-user="liaison"' in html
    assert "赵包村" not in html.split("<main")[1]  # the shell itself names no one
    for name in ("store", "sync", "photos", "forms", "ui"):
        assert re.search(rf'<script src="/static/js/outbox-{name}\.js\?v=\w+" defer>', html), name


@pytest.mark.parametrize("url, kind", [("/checkin", "checkin"), ("/log", "task_log")])
def test_field_forms_are_marked_for_the_outbox_with_a_photo_input_for_js_only(client, auth, world, url, kind):
    auth.login("liaison")
    html = client.get(url).get_data(as_text=True)
    assert f'data-outbox="{kind}"' in html
    assert 'data-outbox-next="/"' in html
    photos = re.search(r'<div class="field outbox-photos" data-outbox-photos>.*?</div>', html, re.S)
    assert photos, "the photo input is there from the first paint (nothing moves when JS starts)"
    head = html[:html.index("</head>")]
    # Not without JS; a stylesheet, not an inline <style> (the Content-Security-Policy allows none).
    assert re.search(r'<noscript><link rel="stylesheet" href="/static/css/noscript\.css\?v=\w+"></noscript>', head)
    file_input = re.search(r"<input[^>]*type=\"file\"[^>]*>", photos.group(0)).group(0)
    assert 'accept="image/*"' in file_input and "multiple" in file_input and "capture" in file_input
    assert "name=" not in file_input  # a form posted without JS sends no file field


def test_the_case_visit_form_names_its_place_household_and_case_for_the_outbox(client, auth, world):
    from fuxin_pwa.cases.models import Case
    from fuxin_pwa.extensions import db
    case = Case(household_id=world.household_a.id, kind="illegal_structure", title="东村1号违建",
                owner_id=world.liaison.id, created_by_id=world.leader.id)
    db.session.add(case)
    db.session.commit()
    auth.login("liaison")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    fixed = re.search(r"data-outbox-fixed='([^']+)'", html).group(1)
    assert fixed == ('{"case_id": %d, "household_id": %d, "place_id": %d}'
                     % (case.id, world.household_a.id, world.grid_a.id))
    assert f'data-outbox-refresh="/cases/{case.id}"' in html
