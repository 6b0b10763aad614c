"""A field person's day on the phone: home, check-in, task log, my record."""
import re

import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog


def test_liaison_checks_in_at_own_village_and_home_shows_visited(client, auth, world):
    auth.login("liaison")
    home = client.get("/").get_data(as_text=True)
    assert "东村" in home and "本周未入村" in home
    form = client.get("/checkin").get_data(as_text=True)
    record_id = re.search(r'name="record_id" type="hidden" value="([0-9a-f-]{36})"', form).group(1)
    r = client.post("/checkin", data={"record_id": record_id, "place_id": world.village_a.id,
                                      "lat": "37.49", "lon": "121.25", "accuracy_m": "18", "note": "入村走访"})
    assert r.status_code == 302
    stored = db.session.scalars(sa.select(CheckIn)).all()
    assert len(stored) == 1 and stored[0].uuid == record_id and stored[0].source == "web"
    assert "本周已入村" in client.get("/").get_data(as_text=True)
