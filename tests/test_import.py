"""Importing places, people and households from CSV and XLSX: preview first, then all or nothing."""
import io
import os
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from fuxin_pwa.auth.models import User
from fuxin_pwa.extensions import db
from fuxin_pwa.places.models import Assignment, Household, Place


@pytest.fixture(autouse=True)
def import_dir(app, tmp_path):
    """Uploads go to the test's own folder, not the real instance/imports."""
    path = tmp_path / "imports"
    app.config["IMPORT_DIR"] = str(path)
    return path


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.strip().replace("\n", "\r\n").encode(encoding) + b"\r\n"


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, kind, content: bytes, filename="file.csv"):
    """Upload a file; returns (preview response, confirm url or None)."""
    response = client.post(f"/admin/import/{kind}", data={"file": (io.BytesIO(content), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = client.get(response.headers["Location"])
    return preview, response.headers["Location"] + "/confirm"


def errors_in(response) -> list[str]:
    return re.findall(r'<li class="error">([^<]*)</li>', response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


PLACES_CSV = """
编码,名称,类型,上级编码
V-C,南村,村,FX
G-NC1,南村第1网格,网格,V-C
E-NC,南村新苑,小区,G-NC1
C-YC,盐场社区,community,FX
"""


# --- Places ---------------------------------------------------------------------------------

def test_an_admin_imports_a_places_csv_whose_rows_hang_under_earlier_rows(client, auth, world, import_dir):
    auth.login("admin")
    preview, confirm = upload(client, "places", csv_bytes(PLACES_CSV))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "确认导入" in html and "新增 <strong>4</strong>" in html
    assert count(Place) == 8  # nothing written by the preview
    assert len(os.listdir(import_dir)) == 1
    response = client.post(confirm)
    assert response.status_code == 302
    grid = db.session.scalar(sa.select(Place).where(Place.code == "G-NC1"))
    estate = db.session.scalar(sa.select(Place).where(Place.code == "E-NC"))
    assert grid.kind == "grid" and grid.parent.code == "V-C" and estate.parent_id == grid.id
    assert db.session.scalar(sa.select(Place).where(Place.code == "C-YC")).kind == "community"
    assert os.listdir(import_dir) == []  # the kept file is gone once imported
    assert "新增 4 条" in client.get("/admin/places").get_data(as_text=True)


def test_a_places_file_with_a_bad_parent_code_shows_the_row_error_in_chinese_and_writes_nothing(
        client, auth, world):
    auth.login("admin")
    preview, confirm = upload(client, "places", csv_bytes("""
编码,名称,类型,上级编码
V-C,南村,村,FX
G-X,无主网格,网格,V-X
"""))
    assert "第3行：上级地点编码 V-X 不存在" in errors_in(preview)
    assert "确认导入</button>" in preview.get_data(as_text=True)  # shown, but disabled
    assert f'action="{confirm}"' not in preview.get_data(as_text=True)
    response = client.post(confirm)  # forced anyway: refused, all or nothing
    assert response.status_code == 422
    assert "没有导入任何数据" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Place).where(Place.code == "V-C")) is None


def test_kind_and_parent_must_fit_and_codes_must_not_repeat(client, auth, world):
    auth.login("admin")
    preview, _ = upload(client, "places", csv_bytes("""
code,name,kind,parent_code
G-Y,街道下的网格,网格,FX
V-D,北村,村,
V-D,北村又一次,村,FX
E-Z,小区,小区,G-Z
G-Z,后来的网格,网格,V-A
S-2,第二街道,街道,FX
X-1,怪地点,县,FX
"""))
    errors = errors_in(preview)
    assert "第2行：网格不能放在街道下（应在社区或村下）" in errors
    assert "第3行：村应放在街道下，请选择上级地点" in errors
    assert "第4行：编码 V-D 与第3行重复" in errors
    assert "第5行：上级地点编码 G-Z 须在本行之前定义" in errors
    assert "第7行：街道是最上级地点，不能有上级" in errors
    assert "第8行：未知的地点类型：县" in errors
    assert not any(e.startswith("第6行") for e in errors)


def test_a_file_missing_a_required_column_is_refused_whole(client, auth, world):
    auth.login("admin")
    preview, confirm = upload(client, "places", csv_bytes("编码,名称\nV-C,南村"))
    assert "缺少必填列：类型（kind）" in preview.get_data(as_text=True)
    assert client.post(confirm).status_code == 422
    assert count(Place) == 8


def test_reimporting_the_same_places_file_changes_nothing_and_an_edited_row_updates(client, auth, world):
    auth.login("admin")
    _, confirm = upload(client, "places", csv_bytes(PLACES_CSV))
    client.post(confirm)
    preview, confirm = upload(client, "places", csv_bytes(PLACES_CSV))
    html = preview.get_data(as_text=True)
    assert "新增 <strong>0</strong>，更新 <strong>0</strong>，不变 4" in html
    client.post(confirm)
    assert count(Place) == 12
    preview, confirm = upload(client, "places", csv_bytes(PLACES_CSV.replace("南村新苑", "南村新苑二期")))
    assert "名称：南村新苑 → 南村新苑二期" in preview.get_data(as_text=True)
    client.post(confirm)
    assert count(Place) == 12
    assert db.session.scalar(sa.select(Place.name).where(Place.code == "E-NC")) == "南村新苑二期"


def test_a_gbk_csv_from_chinese_excel_is_read(client, auth, world):
    auth.login("admin")
    preview, confirm = upload(client, "places", csv_bytes(PLACES_CSV, encoding="gbk"))
    assert errors_in(preview) == []
    client.post(confirm)
    assert db.session.scalar(sa.select(Place.name).where(Place.code == "V-C")) == "南村"


def test_an_admin_imports_places_from_xlsx(client, auth, world):
    auth.login("admin")
    content = xlsx_bytes([["编码", "名称", "类型", "上级编码", "启用"],
                          ["V-C", "南村", "村", "FX", "是"],
                          [None, None, None, None, None],
                          ["G-NC1", "南村第1网格", "网格", "V-C", "否"]])
    preview, confirm = upload(client, "places", content, "places.xlsx")
    assert errors_in(preview) == []
    assert client.post(confirm).status_code == 302
    assert db.session.scalar(sa.select(Place.active).where(Place.code == "G-NC1")) is False


# --- People -----------------------------------------------------------------------------------

def test_an_admin_imports_people_from_xlsx_with_their_places_and_they_can_log_in(client, auth, world):
    auth.login("admin")
    content = xlsx_bytes([
        ["用户名", "姓名", "角色", "队伍", "电话", "初始密码", "包片地点编码"],
        ["wang", "王包村", "包村包片干部", None, 13911112222, "welcome2024", "V-A;V-B"],
        ["chen", "陈网格", "grid_worker", "网格员", "0535-6681234", "welcome2024", "G-A1、G-B1"],
        ["liu2", "刘调度", "街道领导/调度", None, None, "welcome2024", None],
    ])
    preview, confirm = upload(client, "people", content, "people.xlsx")
    html = preview.get_data(as_text=True)
    assert errors_in(preview) == [] and "welcome2024" not in html and "139****2222" in html
    assert client.post(confirm).status_code == 302
    wang = db.session.scalar(sa.select(User).where(User.username == "wang"))
    assert wang.role == "village_liaison" and wang.team == "village_liaison" and wang.phone == "13911112222"
    covered = set(db.session.scalars(sa.select(Assignment.place_id).where(Assignment.user_id == wang.id)))
    assert covered == {world.village_a.id, world.village_b.id}
    assert db.session.scalar(sa.select(User.team).where(User.username == "liu2")) is None
    auth.logout()
    assert auth.login("chen", "welcome2024").status_code == 302


def test_a_people_file_with_mistakes_lists_each_one_in_chinese(client, auth, world):
    auth.login("admin")
    preview, confirm = upload(client, "people", csv_bytes("""
用户名,姓名,角色,队伍,电话,初始密码,包片地点编码
zhao,赵一,网格员,,13900001111,welcome2024,G-A1
zhao,赵二,网格员,,13900001112,welcome2024,G-A1
qian,钱三,队长,,13900001113,welcome2024,
sun,孙四,网格员,,12345,welcome2024,
li,李五,网格员,,,short,G-NOPE
,无名,网格员,,,welcome2024,
zhou,周六,网格员,,,welcome2024,FX
"""))
    errors = errors_in(preview)
    assert "第3行：用户名 zhao 与第2行重复" in errors
    assert "第4行：未知的角色：队长" in errors
    assert any(e.startswith("第5行：电话号码 12345 不正确") for e in errors)
    assert "第6行：密码至少10位" in errors and "第6行：包片地点编码 G-NOPE 不存在" in errors
    assert "第7行：请填写用户名" in errors
    assert "第8行：包片地点 FX 是街道，只能分配社区、村、网格或小区" in errors
    assert client.post(confirm).status_code == 422
    assert db.session.scalar(sa.select(User).where(User.username == "zhao")) is None


def test_reimporting_people_updates_them_keeps_their_password_and_adds_no_duplicates(client, auth, world):
    auth.login("admin")
    people = """
用户名,姓名,角色,电话,初始密码,包片地点编码
wang,王包村,village_liaison,13911112222,welcome2024,V-A
liaison,赵包村,village_liaison,13800001111,newpassword,V-A;V-B
"""
    _, confirm = upload(client, "people", csv_bytes(people))
    assert client.post(confirm).status_code == 302
    preview, confirm = upload(client, "people", csv_bytes(people))
    assert "新增 <strong>0</strong>，更新 <strong>0</strong>，不变 2" in preview.get_data(as_text=True)
    assert "账号已存在，不修改密码" in preview.get_data(as_text=True)
    client.post(confirm)
    assert count(User) == 8
    assert db.session.scalar(sa.select(sa.func.count()).where(Assignment.user_id == world.liaison.id)) == 2
    db.session.refresh(world.liaison)
    assert world.liaison.check_password("fuxin2024")


def test_an_admin_cannot_import_away_their_own_admin_role(client, auth, world):
    auth.login("admin")
    preview, _ = upload(client, "people", csv_bytes("用户名,姓名,角色\nadmin,管理员,网格员"))
    assert "第2行：不能取消自己的管理员角色" in errors_in(preview)


# --- Households ---------------------------------------------------------------------------------

HOUSEHOLDS_CSV = """
地点编码,地址,户主,电话,身份证号,人口,备注
G-A1,东村2号,赵六,13911112222,370611198003033456,3,
G-A1,东村1号,张三,13812345678,370611196001011234,2,已更新人口
E-WK,万科假日风景5-1-202,孙七,,,1,独居
"""


def test_an_admin_imports_households_and_the_list_masks_them(client, auth, world):
    auth.login("admin")
    preview, confirm = upload(client, "households", csv_bytes(HOUSEHOLDS_CSV))
    html = preview.get_data(as_text=True)
    assert errors_in(preview) == [] and "新增 <strong>2</strong>，更新 <strong>1</strong>" in html
    assert "370611198003033456" not in html  # the preview masks too
    assert client.post(confirm).status_code == 302
    assert count(Household) == 5
    db.session.refresh(world.household_a)
    assert world.household_a.members == 2 and world.household_a.note == "已更新人口"
    listing = client.get(f"/admin/places/{world.grid_a.id}/households").get_data(as_text=True)
    assert "139****2222" in listing and "3706**********3456" in listing and "13911112222" not in listing
    _, confirm = upload(client, "households", csv_bytes(HOUSEHOLDS_CSV))
    client.post(confirm)
    assert count(Household) == 5


def test_a_households_file_with_bad_places_and_numbers_is_refused_whole(client, auth, world):
    auth.login("admin")
    preview, confirm = upload(client, "households", csv_bytes("""
地点编码,地址,户主,电话,身份证号,人口
G-A1,东村3号,钱八,13911113333,,2
G-NOPE,某地1号,周九,,,1
FX,街道1号,吴十,,,1
G-A1,东村4号,郑一,,12345,两
G-A1,东村3号,钱八,,,2
G-A1,东村5号,,,,
"""))
    errors = errors_in(preview)
    assert "第3行：地点编码 G-NOPE 不存在" in errors
    assert "第4行：户不能直接挂在街道下（应在社区或村或网格或小区下）" in errors
    assert any(e.startswith("第5行：身份证号 12345 格式不正确") for e in errors)
    assert "第5行：人口应为数字：两" in errors
    assert "第6行：地点 G-A1 的地址 东村3号 与第2行重复" in errors
    assert "第7行：请填写户主姓名" in errors
    assert client.post(confirm).status_code == 422
    assert count(Household) == 3


# --- The kept file, all or nothing ------------------------------------------------------------

def test_confirm_checks_the_file_again(client, auth, world):
    """A place renamed between preview and confirm makes the people file wrong: refused."""
    auth.login("admin")
    preview, confirm = upload(client, "people", csv_bytes(
        "用户名,姓名,角色,初始密码,包片地点编码\nwang,王包村,包村干部,welcome2024,V-B"))
    assert errors_in(preview) == []
    world.village_b.code = "V-B2"
    db.session.commit()
    response = client.post(confirm)
    assert response.status_code == 422 and "第2行：包片地点编码 V-B 不存在" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "wang")) is None


def test_a_failure_half_way_through_writing_leaves_nothing_behind(client, auth, world, monkeypatch):
    from fuxin_pwa.admin import import_rows

    real_apply = import_rows.services.apply_household
    calls = []

    def apply_then_fail(household, data):
        calls.append(data["address"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_apply(household, data)

    monkeypatch.setattr(import_rows.services, "apply_household", apply_then_fail)
    auth.login("admin")
    _, confirm = upload(client, "households", csv_bytes(HOUSEHOLDS_CSV))
    with pytest.raises(RuntimeError):
        client.post(confirm)
    db.session.expire_all()
    assert count(Household) == 3
    assert db.session.get(Household, world.household_a.id).note is None


def test_the_upload_is_kept_on_disk_not_in_the_session(client, auth, world, import_dir):
    auth.login("admin")
    content = csv_bytes(PLACES_CSV)
    response = client.post("/admin/import/places", data={"file": (io.BytesIO(content), "p.csv")},
                           content_type="multipart/form-data")
    token = response.headers["Location"].rsplit("/", 1)[-1]
    assert (import_dir / f"{token}.csv").read_bytes() == content
    with client.session_transaction() as session:
        assert token not in str(dict(session))
    assert client.get("/admin/import/places/not-a-real-token-at-all-xyz").status_code == 404
    assert client.get("/admin/import/places/..%2F..%2Fconfig").status_code == 404


def test_only_csv_and_xlsx_are_accepted(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/import/places", data={"file": (io.BytesIO(b"x"), "places.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "只支持 CSV 或 XLSX 文件" in response.get_data(as_text=True)
    response = client.post("/admin/import/places", data={"file": (io.BytesIO(b"not a zip"), "p.xlsx")},
                           content_type="multipart/form-data")
    preview = client.get(response.headers["Location"])
    assert "无法读取该 XLSX 文件" in preview.get_data(as_text=True)
    response = client.post("/admin/import/places", data={}, content_type="multipart/form-data")
    assert "请选择要导入的文件" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind, header", [
    ("places", "编码,名称,类型,上级编码,启用"),
    ("people", "用户名,姓名,角色,队伍,电话,初始密码,包片地点编码"),
    ("households", "地点编码,地址,户主,电话,身份证号,人口,备注,重点人群"),
])
def test_each_import_offers_a_template_with_its_header_row(client, auth, world, kind, header):
    auth.login("admin")
    response = client.get(f"/admin/import/{kind}/template.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese
    assert response.data.decode("utf-8-sig").strip() == header
    # and the template itself imports cleanly as an (empty) file
    preview, _ = upload(client, kind, response.data)
    assert "文件只有表头，没有数据行" in preview.get_data(as_text=True)


@pytest.mark.parametrize("username", ["leader", "liaison"])
def test_only_the_admin_may_import(client, auth, world, username):
    auth.login(username)
    response = client.post("/admin/import/places", data={"file": (io.BytesIO(b"a"), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.get("/admin/import").status_code == 403
