"""The case page in Chromium with CSRF on, as in production: a visit added without a reload."""
import pytest
import sqlalchemy as sa

from fuxin_pwa.cases.models import Case
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_liaison_adds_a_visit_on_the_case_page_without_a_reload(page, live_server, login, world):
    case = Case(household_id=world.household_a.id, kind="illegal_structure", title="东村1号违建",
                owner_id=world.liaison.id, created_by_id=world.liaison.id)
    db.session.add(case)
    db.session.commit()
    login("liaison")
    page.goto(f"{live_server.url}/cases/{case.id}")
    page.evaluate("window.__samePage = true")  # gone if the page reloads
    form = page.locator("form.visit-form")
    form.locator("textarea[name=summary]").fill("第二次约谈，户主同意月底前自拆")
    form.get_by_role("button", name="记录本次走访").click()
    page.wait_for_selector("#visits >> text=第二次约谈")
    assert page.evaluate("window.__samePage") is True
    assert "已记录走访" in page.inner_text("#visits")
    assert "推进中" in page.inner_text("#case-status")  # the first visit starts the work
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 1
    # The fresh form is empty and ready for the next visit.
    assert page.locator("form.visit-form textarea[name=summary]").input_value() == ""
