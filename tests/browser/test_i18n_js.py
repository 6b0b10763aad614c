"""The JS strings (static/js, FuxinT in outbox-store.js) follow the page's <html lang>:
English after ?lang=en, Chinese (the source) otherwise. Offline saves as in test_outbox.py."""
import pytest


def wait_text(page, selector, text, timeout=15000):
    page.wait_for_function(
        "([s, t]) => (document.querySelector(s) || {}).textContent?.includes(t)",
        arg=[selector, text], timeout=timeout)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_badge_outbox_page_and_sync_status_speak_the_page_language(context, page, live_server, login, world, lang):
    en = lang == "en"
    words = {
        "geo": "Located ±18 m" if en else "已定位 ±18 米",
        "save": "Save check-in" if en else "保存签到",
        "saved": "Saved · will sync when online" if en else "已保存 · 联网后自动同步",
        "badge": "1 to sync" if en else "待同步 1 条",
        "type": "Check-in" if en else "签到",
        "queued": "Queued" if en else "排队中",
        "offline": "Offline; will sync when back online" if en else "当前离线，联网后自动同步",
        "none": "No records need attention." if en else "没有需要处理的记录。",
        "export": "Export unsynced records (1)" if en else "导出未同步记录（1 条）",
        "synced": "All synced" if en else "已全部同步",
        "received": "Received by the server" if en else "服务器接收于",
    }
    login("liaison")
    suffix = "?lang=en" if en else ""
    page.goto(f"{live_server.url}/checkin{suffix}")
    assert page.get_attribute("html", "lang") == ("en" if en else "zh-CN")
    wait_text(page, "[data-geo-status]", words["geo"])
    outbox_page = context.new_page()
    outbox_page.goto(f"{live_server.url}/outbox")  # the session keeps the language
    outbox_page.wait_for_selector("[data-outbox-attention] li.empty")

    context.set_offline(True)
    page.fill("#note", "语言测试")
    page.get_by_role("button", name=words["save"], exact=True).click()
    wait_text(page, "[data-outbox-status]", words["saved"])
    wait_text(page, "[data-outbox-badge-text]", words["badge"])

    outbox_page.bring_to_front()
    wait_text(outbox_page, "[data-outbox-queue]", words["type"])
    wait_text(outbox_page, "[data-outbox-queue]", words["queued"])
    wait_text(outbox_page, "[data-outbox-page-status]", words["offline"])
    assert words["none"] in outbox_page.inner_text("[data-outbox-attention]")
    outbox_page.wait_for_selector(f"button:has-text('{words['export']}')")

    context.set_offline(False)
    wait_text(outbox_page, "[data-outbox-badge-text]", words["synced"])
    wait_text(outbox_page, "[data-outbox-synced]", words["received"])
    if en:  # nothing Chinese left in the badge
        text = outbox_page.inner_text("[data-outbox-badge-text]")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text
