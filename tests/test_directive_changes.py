"""A directive changed after publishing: the leader corrects its words, moves its date, sends
it to more places, swaps its files, or withdraws it (撤回). A place already relayed stays on
it; a withdrawn directive leaves every home and phone, and a relay still on its way is kept."""
import io
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.directives.models import Directive
from fuxin_pwa.directives.services import publish_directive
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.timeutil import local_today
from tests.test_directive_attachments import PDF, PNG, files_on_disk
from tests.test_directives import _publish, relay
from tests.test_sync import sync


def edit_form(directive, place_ids, **extra):
    return {"title": directive.title, "body": directive.body, "due_on": directive.due_on.isoformat(),
            "place_ids": place_ids, **extra}


def test_the_leader_corrects_the_text_moves_the_date_and_adds_a_village(client, auth, world):
    _publish(client, auth, [world.village_a.id])
    directive = db.session.scalar(sa.select(Directive))
    auth.login("leader")
    page = client.get(f"/directives/{directive.id}/edit").get_data(as_text=True)
    assert 'value="冬季防火安全部署"' in page and f'value="{world.village_a.id}" checked' in page
    later = local_today() + timedelta(days=10)
    r = client.post(f"/directives/{directive.id}/edit", data={
        "title": "冬季防火安全部署（修订）", "body": "逐村逐户传达", "due_on": later.isoformat(),
        "place_ids": [world.village_a.id, world.village_b.id]}, follow_redirects=True)
    assert r.status_code == 200 and "已保存修改" in r.get_data(as_text=True)
    auth.logout()

    auth.login("liaison_b")  # covers 西村, just added
    home = client.get("/").get_data(as_text=True)
    assert f"待传达 · 西村 · {later.month}月{later.day}日前" in home
    assert client.get("/api/v1/me").get_json()["directives"] == [
        {"id": directive.id, "title": "冬季防火安全部署（修订）", "due_on": later.isoformat(),
         "place_ids": [world.village_b.id]}]


def test_a_village_already_relayed_cannot_be_taken_off_but_one_waiting_can(client, auth, world):
    _publish(client, auth, [world.village_a.id, world.village_b.id])
    directive = db.session.scalar(sa.select(Directive))
    auth.login("cadre")
    sync(client, [relay(directive.id, world.village_a.id, people_reached=20)])
    auth.logout()

    auth.login("leader")
    r = client.post(f"/directives/{directive.id}/edit", data=edit_form(directive, [world.village_b.id],
                                                                      title="只传达西村"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "东村 已有传达记录，不能移出传达范围" in page
    assert 'value="只传达西村"' in page  # what the leader typed comes back
    db.session.expire_all()
    assert db.session.get(Directive, directive.id).title == "冬季防火安全部署"
    r = client.post(f"/directives/{directive.id}/edit", data=edit_form(directive, [world.village_a.id]))
    assert r.status_code == 302
    db.session.expire_all()
    assert [t.place_id for t in db.session.get(Directive, directive.id).targets] == [world.village_a.id]


def test_the_leader_swaps_a_file_and_the_old_one_is_gone(app, client, auth, world):
    auth.login("leader")
    due = (local_today() + timedelta(days=6)).isoformat()
    client.post("/directives/new", content_type="multipart/form-data", data={
        "title": "防汛部署", "body": "转移路线", "due_on": due, "place_ids": [world.village_a.id],
        "attachments": [(io.BytesIO(PDF), "旧通知.pdf")]})
    directive = db.session.scalar(sa.select(Directive))
    old = directive.attachments[0]
    old_url, old_path = f"/directives/{directive.id}/attachments/{old.id}", old.storage_path
    page = client.get(f"/directives/{directive.id}/edit").get_data(as_text=True)
    assert "旧通知.pdf" in page and f'name="remove_attachment_ids" value="{old.id}"' in page
    r = client.post(f"/directives/{directive.id}/edit", content_type="multipart/form-data",
                    data={**edit_form(directive, [world.village_a.id]), "remove_attachment_ids": [old.id],
                          "attachments": [(io.BytesIO(PNG), "新路线图.png")]})
    assert r.status_code == 302
    page = client.get(f"/directives/{directive.id}").get_data(as_text=True)
    assert "新路线图.png" in page and "旧通知.pdf" not in page
    assert client.get(old_url).status_code == 404
    assert not os.path.exists(os.path.join(app.config["PHOTO_DIR"], old_path)) and len(files_on_disk(app)) == 1


def test_a_withdrawn_directive_leaves_every_home_and_phone_and_a_late_relay_is_kept(client, auth, world):
    _publish(client, auth, [world.village_a.id, world.village_b.id], due_on=local_today() - timedelta(days=1))
    directive = db.session.scalar(sa.select(Directive))
    auth.login("liaison")
    me = client.get("/api/v1/me")
    assert [d["id"] for d in me.get_json()["directives"]] == [directive.id]
    etag = me.headers["ETag"]
    auth.logout()

    auth.login("leader")
    confirm = client.get(f"/directives/{directive.id}/withdraw").get_data(as_text=True)
    assert "确定撤回「冬季防火安全部署」吗？" in confirm and "确定撤回</button>" in confirm
    r = client.post(f"/directives/{directive.id}/withdraw", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "已撤回，各村居不再收到此传达部署" in page and "刘书记 于" in page and "逾期未传达" not in page
    assert f"/directives/{directive.id}/edit" not in page  # nothing left to change
    listing = client.get("/directives/").get_data(as_text=True)
    assert "冬季防火安全部署" in listing and "已撤回" in listing and "已逾期" not in listing
    edit = client.get(f"/directives/{directive.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "已撤回的传达部署不能再修改" in edit
    auth.logout()

    auth.login("liaison")
    assert "待传达" not in client.get("/").get_data(as_text=True)
    again = client.get("/api/v1/me", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag and again.get_json()["directives"] == []
    assert "冬季防火安全部署" not in client.get("/directives/").get_data(as_text=True)
    assert client.get(f"/directives/{directive.id}").status_code == 404
    # Recorded offline before the phone heard: the visit happened, so it is stored.
    r = sync(client, [relay(directive.id, world.village_a.id, people_reached=12)])
    assert r.get_json()["results"][0]["status"] == "created"
    assert db.session.scalar(sa.select(TaskLog.directive_id)) == directive.id
    assert client.get("/api/v1/me").get_json()["directives"] == []
    auth.logout()

    auth.login("leader")
    assert "1/2 村已传达" in client.get(f"/directives/{directive.id}").get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_withdrawing_without_the_pages_token_withdraws_nothing(client, world):
    from tests.test_access_matrix import _logged_in_with_csrf

    directive = publish_directive(world.leader, "冬季防火", "逐村传达", local_today(), [world.village_a.id], False)
    leader = _logged_in_with_csrf(client.application, "leader")
    assert leader.post(f"/directives/{directive.id}/withdraw").status_code == 400
    db.session.expire_all()
    assert not db.session.get(Directive, directive.id).withdrawn
