"""An admin imports the outbox a phone exported when it could not sync ("导出未同步记录"):
applied as the person who made the records, exactly once, photos included."""
import base64
import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from PIL import Image

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.photos.models import Photo

SHANGHAI = timezone(timedelta(hours=8))


def iso(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def jpeg(color="green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(out, "JPEG")
    return out.getvalue()


def photo(data: bytes | None = None, **over) -> dict:
    return {"id": str(uuid.uuid4()), "type": "image/jpeg",
            "data": base64.b64encode(data or jpeg()).decode(), **over}


def checkin(place_id, when=None, photos=(), **data) -> dict:
    return {"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": iso(when or datetime.now(SHANGHAI)),
            "data": {"place_id": place_id, "note": "断网时入村走访", **data}, "photos": list(photos)}


def task_log(place_id, when=None, photos=(), **data) -> dict:
    return {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": iso(when or datetime.now(SHANGHAI)),
            "data": {"kind": "resident_visit", "place_id": place_id, "summary": "走访群众，了解诉求", **data},
            "photos": list(photos)}


def outbox(records, username="liaison", exported_at=None, **over) -> bytes:
    body = {"format": "fuxin-outbox/1", "exported_at": iso(exported_at or datetime.now(SHANGHAI)),
            "device_id": "phone-of-zhao", "user": {"username": username}, "records": records, **over}
    return json.dumps(body, ensure_ascii=False).encode()


def upload(client, content: bytes, filename="fuxin-outbox.json"):
    return client.post("/admin/outbox-import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def admin(client, auth, world):
    auth.login("admin")
    return world


def test_the_admin_index_links_to_the_outbox_import(client, admin):
    assert "/admin/outbox-import" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/outbox-import")
    assert page.status_code == 200 and "导入离线记录" in page.get_data(as_text=True)


def test_an_exported_outbox_is_applied_as_its_owner_with_its_photos(client, admin):
    world = admin
    visit = checkin(world.grid_a.id, photos=[photo(), photo(jpeg("blue"))])
    log = task_log(world.village_a.id, photos=[photo()])
    r = upload(client, outbox([visit, log]))
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "赵包村" in html and "phone-of-zhao" in html and "新增 <strong>2</strong>" in html
    stored = db.session.scalar(sa.select(CheckIn).where(CheckIn.uuid == visit["id"]))
    assert stored.user_id == world.liaison.id  # hers, not the admin's
    assert (stored.source, stored.device_id, stored.note) == ("import", "phone-of-zhao", "断网时入村走访")
    assert db.session.scalar(sa.select(TaskLog.user_id).where(TaskLog.uuid == log["id"])) == world.liaison.id
    photos = db.session.scalars(sa.select(Photo).order_by(Photo.id)).all()
    assert [(p.record_uuid, p.user_id) for p in photos] == [
        (visit["id"], world.liaison.id), (visit["id"], world.liaison.id), (log["id"], world.liaison.id)]
    assert {p.uuid for p in photos} == {p["id"] for p in visit["photos"] + log["photos"]}


def test_importing_the_same_file_twice_adds_nothing(client, admin):
    world = admin
    content = outbox([checkin(world.grid_a.id, photos=[photo()]), task_log(world.grid_a.id)])
    upload(client, content)
    before = (count(CheckIn), count(TaskLog), count(Photo))
    again = upload(client, content)
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "新增 <strong>0</strong>" in html and "已有 2" in html and "已有（重复）" in html
    assert (count(CheckIn), count(TaskLog), count(Photo)) == before == (1, 1, 1)


def test_a_record_the_phone_synced_before_the_export_reached_the_admin_is_a_duplicate(client, auth, world):
    record = checkin(world.grid_a.id)
    auth.login("liaison")
    client.post("/api/v1/sync", json={"device_id": "phone-of-zhao", "sent_at": iso(datetime.now(SHANGHAI)),
                                      "records": [{k: v for k, v in record.items() if k != "photos"}]})
    auth.logout()
    auth.login("admin")
    assert "已有（重复）" in upload(client, outbox([record])).get_data(as_text=True)
    assert count(CheckIn) == 1


def test_a_record_outside_the_owners_places_is_rejected_in_chinese_and_the_rest_still_apply(client, admin):
    world = admin
    elsewhere = checkin(world.grid_b.id, photos=[photo()])  # 西村 is not hers
    fine = checkin(world.grid_a.id)
    r = upload(client, outbox([elsewhere, fine]))
    html = r.get_data(as_text=True)
    assert "未导入" in html and "地点：不在您的包片范围内" in html and "记录未导入，照片也未导入" in html
    assert db.session.scalars(sa.select(CheckIn.uuid)).all() == [fine["id"]]
    assert count(Photo) == 0


def test_a_bad_photo_in_the_file_is_reported_and_its_record_still_stored(client, admin):
    world = admin
    record = checkin(world.grid_a.id, photos=[photo(data=b"not an image at all"),
                                              {"id": str(uuid.uuid4()), "type": "image/jpeg", "data": "%%%"},
                                              photo()])
    html = upload(client, outbox([record])).get_data(as_text=True)
    assert "不是可识别的 JPEG、PNG 或 WebP 图片" in html and "照片数据不是有效的 base64" in html
    assert count(CheckIn) == 1 and count(Photo) == 1


def test_a_file_from_a_person_the_server_does_not_know_applies_nothing(client, admin):
    world = admin
    r = upload(client, outbox([checkin(world.grid_a.id)], username="ghost"))
    assert r.status_code == 422
    assert "系统中没有用户名为「ghost」的人员，未导入任何记录" in r.get_data(as_text=True)
    assert count(CheckIn) == 0


@pytest.mark.parametrize("content, message", [
    (b"{\"format\": \"fuxin-outbox/1\", \"records\": [", "文件不是有效的 JSON"),
    ("走访记录".encode("gbk"), "文件不是 UTF-8 编码的文本"),
    (b"[1, 2, 3]", "这不是福新外勤导出的未同步记录文件"),
    (json.dumps({"format": "other/1", "records": []}).encode(), "这不是福新外勤导出的未同步记录文件"),
    (json.dumps({"format": "fuxin-outbox/2", "records": []}).encode(), "不支持的文件版本 fuxin-outbox/2"),
    (json.dumps({"format": "fuxin-outbox/1", "exported_at": "2026-11-26T21:05:00+08:00",
                 "records": []}).encode(), "缺少记录人的用户名"),
    (json.dumps({"format": "fuxin-outbox/1", "exported_at": "2026-11-26T21:05:00+08:00",
                 "user": {"username": "liaison"}}).encode(), "缺少记录列表"),
    (json.dumps({"format": "fuxin-outbox/1", "exported_at": "yesterday", "user": {"username": "liaison"},
                 "records": []}).encode(), "导出时间（exported_at）缺失或格式无效"),
])
def test_a_broken_or_foreign_file_is_refused_with_a_clear_message(client, admin, content, message):
    r = upload(client, content)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert count(CheckIn) == 0


def test_only_json_files_are_accepted_and_one_is_required(client, admin):
    assert "只支持设备导出的 .json 文件" in upload(client, b"a,b\n", "people.csv").get_data(as_text=True)
    r = client.post("/admin/outbox-import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "请选择设备导出的未同步记录文件" in r.get_data(as_text=True)


def test_a_phone_whose_clock_said_1980_has_its_records_corrected_and_flagged(client, admin):
    world = admin
    phone_now = datetime(1980, 1, 6, 9, 0, tzinfo=SHANGHAI)
    record = checkin(world.grid_a.id, when=phone_now - timedelta(hours=2))
    html = upload(client, outbox([record], exported_at=phone_now)).get_data(as_text=True)
    assert "记录时间已按此校正" in html
    stored = db.session.scalar(sa.select(CheckIn))
    assert stored.clock_corrected and stored.device_occurred_at.year == 1980
    hours_ago = (datetime.now(timezone.utc).replace(tzinfo=None) - stored.occurred_at) / timedelta(hours=1)
    assert 1.9 < hours_ago < 2.1  # two hours before the export, taken as now


def test_a_file_exported_days_before_its_import_keeps_the_phones_times(client, admin):
    """The gap between export and import is the file's journey, not a wrong clock."""
    world = admin
    exported = datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(days=3)
    record = checkin(world.grid_a.id, when=exported - timedelta(hours=1))
    upload(client, outbox([record], exported_at=exported))
    stored = db.session.scalar(sa.select(CheckIn))
    assert not stored.clock_corrected
    assert stored.occurred_at == (exported - timedelta(hours=1)).astimezone(timezone.utc).replace(tzinfo=None)


def test_the_import_page_is_for_admins_only(client, auth, world):
    auth.login("leader")
    assert client.get("/admin/outbox-import").status_code == 403
    assert upload(client, outbox([checkin(world.grid_a.id)])).status_code == 403
    assert count(CheckIn) == 0
