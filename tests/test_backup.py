"""Backups that restore (fuxin_pwa/backup/): `flask backup` while the app runs, `flask restore`
on a new server, on whichever database the suite runs on. On PostgreSQL the restore goes into
a database created for the test on the same server (and dropped after it), under the same
schema name as the run's own, since a backup goes back into the schema it came from."""
import io
import json
import os
import tarfile
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import stamp
from PIL import Image

from fuxin_pwa import create_app, versions
from fuxin_pwa.auth.models import User
from fuxin_pwa.backup.archive import NAME_RE, archives
from fuxin_pwa.backup.services import code_revision
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.photos.images import GPS_IFD
from fuxin_pwa.photos.models import Photo
from fuxin_pwa.photos.services import save_photo
from tests.factories import make_checkin

SHANGHAI = timezone(timedelta(hours=8))


# --- Helpers ------------------------------------------------------------------------------

def now_iso():
    return datetime.now(SHANGHAI).isoformat(timespec="seconds")


def image_bytes(color="red", gps=False) -> bytes:
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (37.0, 29.0, 48.0), 3: "E", 4: (121.0, 15.0, 14.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG", exif=exif)
    return out.getvalue()


def sync(client, *records):
    r = client.post("/api/v1/sync", json={"device_id": "phone", "sent_at": now_iso(), "records": list(records)})
    assert [result["status"] for result in r.get_json()["results"]] == ["created"] * len(records)


def checkin(place_id, note):
    return {"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": now_iso(),
            "data": {"place_id": place_id, "lat": 37.4968, "lon": 121.2541, "accuracy_m": 18, "note": note}}


def task_log(place_id, summary):
    return {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": now_iso(),
            "data": {"kind": "resident_visit", "place_id": place_id, "summary": summary}}


def put_photo(client, record, data):
    photo_id = str(uuid.uuid4())
    r = client.put(f"/api/v1/records/{record['id']}/photos/{photo_id}", data=data, content_type="image/jpeg")
    assert r.status_code == 201
    return photo_id


def files_under(root) -> dict[str, bytes]:
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = handle.read()
    return found


def holdings() -> dict:
    """Every person, record and photo, as plain values to compare across two databases."""
    def rows(*columns):
        return sorted(tuple(row) for row in db.session.execute(sa.select(*columns)))
    return {"people": rows(User.id, User.username, User.name, User.role, User.password_hash),
            "checkins": rows(CheckIn.uuid, CheckIn.user_id, CheckIn.place_id, CheckIn.note, CheckIn.occurred_at),
            "task_logs": rows(TaskLog.uuid, TaskLog.user_id, TaskLog.place_id, TaskLog.summary),
            "photos": rows(Photo.uuid, Photo.record_uuid, Photo.storage_path, Photo.sha256, Photo.user_id)}


def flask(app, *args):
    """`flask …` on `app`. Its context is pushed here: a command runs in the current app's
    context when there is one, and the test's own app is always current."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def backup(app, *args):
    result = flask(app, "backup", *args)
    assert result.exit_code == 0, result.output
    return result


def restore(app, archive, *args):
    return flask(app, "restore", str(archive), *args)


def manifest_of(archive) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


# --- Fixtures -----------------------------------------------------------------------------

@pytest.fixture
def backups(app, tmp_path):
    """The app's backups, and its pending imports, in folders of the test's own."""
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    return tmp_path / "backups"


@pytest.fixture
def stamped(app):
    """The database carries its Alembic revision, as one `flask db upgrade` made would (the
    suite's are made by create_all)."""
    stamp()
    yield code_revision()
    db.session.remove()
    with db.engine.begin() as conn:  # PostgreSQL: the run's schema outlives this test
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _on_server(pg_url, statement):
    engine = sa.create_engine(sa.make_url(pg_url).set(query={}), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def new_server(tmp_path, pg_schema_url):
    """Makes an app on an empty database and empty upload folders of its own, as on a server
    set up again. On PostgreSQL, a database created on the same server (never the run's
    shared one) and dropped afterwards."""
    made, databases = [], []

    def make(name="restored"):
        folder = tmp_path / name
        folder.mkdir()
        if pg_schema_url:
            database = f"fuxin_restore_{uuid.uuid4().hex[:12]}"
            _on_server(pg_schema_url, f'CREATE DATABASE "{database}"')
            databases.append(database)
            url = sa.make_url(pg_schema_url).set(database=database).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{folder / 'restored.sqlite'}"
        target = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url,
                             "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
                             "PHOTO_DIR": str(folder / "photos"), "IMPORT_DIR": str(folder / "imports"),
                             "BACKUP_DIR": str(folder / "backups")})
        made.append(target)
        return target

    yield make
    for target in made:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
    for database in databases:
        _on_server(pg_schema_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def archived(app, world, backups):
    """A backup of the small world: the liaison's check-in with its photo, and an import
    waiting for the admin."""
    (backups.parent / "imports").mkdir()
    (backups.parent / "imports" / "waiting.csv").write_text("姓名,电话\n", encoding="utf-8")
    record = make_checkin(world.liaison, world.grid_a)
    save_photo(world.liaison, record, str(uuid.uuid4()), "image/jpeg", image_bytes())
    backup(app)
    return archives(backups)[-1]


# --- The story ----------------------------------------------------------------------------

def test_a_backup_restored_on_a_new_server_brings_back_every_person_record_and_photo(
        app, demo, client, auth, backups, stamped, new_server):
    """The liaison and the grid worker sync check-ins and a task log with their photos, and an
    admin's import waits for confirming; that night's backup is restored on a new server:
    every person, record and photo (the same bytes) is there, the database is at the
    archived revision, and the liaison carries on where she stopped."""
    auth.login("liaison")
    village = client.get("/api/v1/me").get_json()["places"][0]["id"]
    first, second = checkin(village, "入村走访"), checkin(village, "回访")
    talk = task_log(village, "走访群众，了解诉求")
    sync(client, first, second, talk)
    put_photo(client, first, image_bytes("red", gps=True))
    put_photo(client, first, image_bytes("green"))
    put_photo(client, talk, image_bytes("blue", gps=True))
    auth.logout()
    auth.login("grid")
    grid = client.get("/api/v1/me").get_json()["places"][0]["id"]
    roof = checkin(grid, "屋顶漏水")
    sync(client, roof)
    roof_photo = put_photo(client, roof, image_bytes("gray"))
    auth.logout()
    roster = "姓名,电话\n张三,13812345678\n".encode()
    (backups.parent / "imports").mkdir()
    (backups.parent / "imports" / "roster-upload.csv").write_bytes(roster)
    before, photos_before = holdings(), files_under(app.config["PHOTO_DIR"])
    assert len(before["photos"]) == 4 and len(photos_before) == 8  # each with its thumbnail

    result = backup(app)
    (archive,) = archives(backups)
    assert NAME_RE.match(os.path.basename(archive)) and archive in result.output
    manifest = manifest_of(archive)
    assert manifest["alembic_revision"] == stamped and manifest["database"]["kind"] == db.engine.url.get_backend_name()
    assert manifest["database"]["rows"]["users"] == len(before["people"]) == demo["people"]
    assert manifest["database"]["rows"]["photos"] == 4
    assert manifest["files"] == {"photos": 8, "imports": 1} and manifest["missing_photo_files"] == []

    server = new_server()
    with server.app_context():
        kept_under = versions.store().read([versions.ALL])
    result = restore(server, archive)
    assert result.exit_code == 0, result.output
    with server.app_context():  # nothing a running server kept from before stays good
        assert versions.store().read([versions.ALL]) != kept_under
    with server.app_context():
        assert holdings() == before
        assert files_under(server.config["PHOTO_DIR"]) == photos_before
        assert files_under(server.config["IMPORT_DIR"]) == {"roster-upload.csv": roster}
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == stamped
    assert flask(server, "db", "upgrade").exit_code == 0  # already there

    phone = server.test_client()
    assert phone.post("/login", data={"username": "grid", "password": "fuxin2024"}).status_code == 302
    shown = phone.get(f"/photos/{roof_photo}")
    stored_at = next(photo[2] for photo in before["photos"] if photo[0] == roof_photo)
    assert shown.status_code == 200 and shown.data == photos_before[stored_at]
    sync(phone, checkin(grid, "恢复后第一次签到"))  # the ids carry on after the restored ones


def test_a_backup_counts_what_was_committed_when_it_began_not_what_is_still_being_written(app, world, backups):
    """A sync still inside its transaction while the backup runs: the backup is not held up,
    and holds the database as it stood, without the half-written record."""
    with db.engine.connect() as other:
        other.begin()
        other.execute(sa.insert(User).values(username="half", name="写了一半", role="grid_worker",
                                             password_hash="x", active=True))
        backup(app)
        other.rollback()
    manifest = manifest_of(archives(backups)[-1])
    assert manifest["database"]["rows"]["users"] == db.session.scalar(sa.select(sa.func.count(User.id))) == 7


# --- Refusals -----------------------------------------------------------------------------

def test_a_restore_into_a_database_that_holds_data_is_refused_and_changes_nothing(app, archived, new_server):
    server = new_server()
    assert restore(server, archived).exit_code == 0
    with server.app_context():
        db.session.add(User(username="new", name="新来的", role="grid_worker", password_hash="x"))
        db.session.commit()
        before, files = holdings(), files_under(server.config["PHOTO_DIR"])

    result = restore(server, archived)
    assert result.exit_code != 0
    assert "不是空的" in result.output and "not empty" in result.output and "--force" in result.output
    with server.app_context():
        assert holdings() == before and files_under(server.config["PHOTO_DIR"]) == files


def test_photos_left_in_the_folder_refuse_a_restore_even_into_an_empty_database(app, archived, new_server):
    server = new_server()
    stray = os.path.join(server.config["PHOTO_DIR"], "2025", "01", "old.jpg")
    os.makedirs(os.path.dirname(stray))
    with open(stray, "wb") as out:
        out.write(b"old")
    result = restore(server, archived)
    assert result.exit_code != 0 and server.config["PHOTO_DIR"] in result.output
    with server.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    assert files_under(server.config["PHOTO_DIR"]) == {os.path.join("2025", "01", "old.jpg"): b"old"}


def test_force_replaces_what_the_database_and_the_folders_held(app, archived, new_server):
    server = new_server()
    assert restore(server, archived).exit_code == 0
    with server.app_context():
        db.session.add(User(username="new", name="新来的", role="grid_worker", password_hash="x"))
        db.session.commit()
    stray = os.path.join(server.config["PHOTO_DIR"], "stray.jpg")
    with open(stray, "wb") as out:
        out.write(b"stray")

    result = restore(server, archived, "--force")
    assert result.exit_code == 0, result.output
    expected = holdings()  # the backed-up app's
    with server.app_context():
        assert holdings() == expected and "new" not in {person[1] for person in expected["people"]}
    assert files_under(server.config["PHOTO_DIR"]) == files_under(app.config["PHOTO_DIR"])


def test_a_backup_of_another_kind_of_database_is_refused(app, archived, new_server, tmp_path):
    other = "postgresql" if db.engine.url.get_backend_name() == "sqlite" else "sqlite"
    forged = tmp_path / "other-kind.tar.gz"
    with tarfile.open(archived, "r:gz") as source, tarfile.open(forged, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database"]["kind"] = other
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    server = new_server()
    result = restore(server, forged)
    assert result.exit_code != 0 and "只能恢复到同一种数据库" in result.output and "same kind" in result.output
    assert files_under(server.config["PHOTO_DIR"]) == {}


def test_an_archive_cut_short_is_refused(app, archived, new_server, tmp_path):
    """Half an archive (a copy interrupted) has no manifest: refused before anything is written."""
    cut = tmp_path / "cut.tar.gz"
    with open(archived, "rb") as whole:
        data = whole.read()
    cut.write_bytes(data[: len(data) // 2])
    server = new_server()
    result = restore(server, cut)
    assert result.exit_code != 0 and str(cut) in result.output
    with server.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    assert files_under(server.config["PHOTO_DIR"]) == {}


# --- Keeping the newest N -----------------------------------------------------------------

def names_in(folder) -> list[str]:
    return [os.path.basename(path) for path in archives(folder)]


def test_a_backup_keeps_the_newest_archives_and_removes_only_older_ones(app, world, backups):
    """Five nights' archives and a file someone put there by hand; `--keep 3` leaves tonight's
    and the two before it, and the hand-made file; then BACKUP_KEEP=2 does the same by default."""
    backups.mkdir()
    nights = [f"fuxin-backup-2000-01-0{day}T0300Z.tar.gz" for day in range(1, 6)]
    for name in nights:
        (backups / name).write_bytes(b"old")
    (backups / "notes.txt").write_text("kept by hand")

    backup(app, "--keep", "3")
    (tonight,) = set(names_in(backups)) - set(nights)
    assert names_in(backups) == [nights[3], nights[4], tonight]
    assert (backups / "notes.txt").exists()

    app.config["BACKUP_KEEP"] = 2
    backup(app)
    (again,) = set(names_in(backups)) - {tonight, *nights}
    assert names_in(backups) == [tonight, again]  # a second one in the same minute is named after it
