"""Relaying a directive from the phone: the card on the home leads to the task log form,
and what the outbox sends names the directive and the people reached, online or offline."""
from datetime import timedelta

from fuxin_pwa.directives.services import publish_directive
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.timeutil import local_today
from tests.browser.test_outbox import eventually, rows, save


def test_a_liaison_relays_a_directive_offline_from_the_card_on_her_home(context, page, live_server, login, world):
    directive = publish_directive(world.leader, "防汛安全告知", "逐户告知转移路线", local_today() + timedelta(days=5),
                                  [world.village_a.id], False)
    login("liaison")
    card = page.get_by_role("link", name="待传达", exact=False).first
    assert "东村" in page.inner_text("main")
    card.click()
    page.wait_for_url(f"**/log?directive_id={directive.id}**")
    context.set_offline(True)
    page.fill("#summary", "村委会议室传达防汛安全告知")
    page.fill("#people_reached", "35")
    save(page, "保存")
    context.set_offline(False)

    eventually(page, lambda: len(rows(TaskLog)) == 1)
    [log] = rows(TaskLog)
    assert (log.directive_id, log.people_reached, log.place_id) == (directive.id, 35, world.village_a.id)
