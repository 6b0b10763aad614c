"""Two incidents for the dispatch board (一体化调度).

The rainstorm night of the history, closed: the six junctions as posts, the young men of the
cadre team in six groups of two, each with their acknowledgements in order (收到 → 出发 →
到岗, with the position, → 撤离) and their 防汛值守 reports linked to the incident. And one
opened today, still under way: a couple of posts, people at each stage, and the demo
liaison sent to a junction and not yet acknowledging, so their home shows the banner and the
board shows who has not answered after ten minutes."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..auth.models import COMMUNITY_WORKER, GRID_WORKER, YOUNG_CADRE
from ..dispatch.models import (ASSIGNED, CLOSED, EN_ROUTE, ON_SITE, OPEN, RECEIVED, STOOD_DOWN, Deployment,
                               Incident, IncidentAck, IncidentGroup, Post)
from ..extensions import db
from . import names, texts


class DemoIncidents:
    def __init__(self, history):
        self.h, self.rng, self.w = history, history.rng, history.w
        self.leader = self.w.logins["leader"]
        self.acks: list[dict] = []

    def build(self) -> dict:
        self.rainstorm()
        self.today()
        if self.acks:
            db.session.execute(sa.insert(IncidentAck).execution_options(render_nulls=True), self.acks)
        return {"incidents": 2, "incident_acks": len(self.acks)}

    # --- helpers ---------------------------------------------------------------------------

    def position(self, place_id: int, spread: float = 0.002) -> tuple[float, float]:
        lat, lon = self.w.centres[place_id]
        return (round(lat + self.rng.uniform(-spread, spread), 6),
                round(lon + self.rng.uniform(-spread * 1.3, spread * 1.3), 6))

    def ack(self, incident: Incident, deployment: Deployment, user, state: str, when: datetime,
            post: Post | None = None, note: str | None = None) -> None:
        """One acknowledgement as sent from the phone; 到岗 carries a position near the post
        (one in ten without a fix: the phone had none, and it still counts)."""
        lat = lon = accuracy = None
        if state == ON_SITE and post is not None and self.rng.random() > 0.1:
            lat = round(post.lat + self.rng.uniform(-0.0003, 0.0003), 6)
            lon = round(post.lon + self.rng.uniform(-0.0004, 0.0004), 6)
            accuracy = round(self.rng.uniform(6, 40), 1)
        data = {"incident_id": incident.id, "deployment_id": deployment.id, "state": state,
                "lat": lat, "lon": lon, "accuracy_m": accuracy, "note": note}
        meta = self.h._meta(when, "incident_ack", data)
        meta["received_at"] = min(when + timedelta(seconds=self.rng.randint(1, 40)), self.h.now)
        self.acks.append({**data, "user_id": user.id, **meta})
        deployment.state, deployment.state_at = state, when

    def acks_until(self, incident, deployment, user, last: str, start: datetime, post, on_site_at=None) -> datetime:
        """收到, 出发, 到岗 in order up to `last`, a few minutes apart; returns the last time."""
        when = start
        for state, gap in ((RECEIVED, (1, 6)), (EN_ROUTE, (2, 8)), (ON_SITE, (8, 20))):
            when = when + timedelta(minutes=self.rng.randint(*gap))
            if state == ON_SITE and on_site_at is not None:
                when = on_site_at
            self.ack(incident, deployment, user, state, when, post)
            if state == last:
                break
        return when

    def incident(self, spec: dict, started: datetime, ended: datetime | None, place) -> Incident:
        incident = Incident(kind="flood", title=spec["title"], area=spec["area"], note=spec["note"],
                            place_id=place.id, status=CLOSED if ended else OPEN, started_at=started,
                            ended_at=ended, created_by_id=self.leader.id, created_at=started)
        db.session.add(incident)
        db.session.flush()
        return incident

    def posts(self, incident: Incident, specs: list[tuple[str, str, str]]) -> list[Post]:
        posts = []
        for i, (name, place_name, note) in enumerate(specs):
            place = self.w.places[place_name]
            lat, lon = self.position(place.id)
            posts.append(Post(incident_id=incident.id, name=name, place_id=place.id, lat=lat, lon=lon,
                              note=note, sort=i + 1))
        db.session.add_all(posts)
        db.session.flush()
        return posts

    def deploy(self, incident, user, post, group, at: datetime) -> Deployment:
        deployment = Deployment(incident_id=incident.id, user_id=user.id, post_id=post.id,
                                group_id=group.id if group else None, state=ASSIGNED, state_at=at,
                                assigned_at=at, assigned_by_id=self.leader.id)
        db.session.add(deployment)
        db.session.flush()
        return deployment

    # --- the rainstorm night, closed ----------------------------------------------------------

    def rainstorm(self) -> None:
        h, day = self.h, self.h.rainstorm_day
        started, ended = h.at(day, 22.25), h.at(day, 26.75)  # 22:15 to 02:45 the next morning
        incident = self.incident(texts.RAINSTORM_INCIDENT, started, ended, self.w.places[names.SUBDISTRICT])
        posts = self.posts(incident, [(road, place, note) for (road, place), note
                                      in zip(names.FLOOD_POSTS, texts.FLOOD_POST_NOTES)])
        groups = [IncidentGroup(incident_id=incident.id, name=f"防汛预备队第{i + 1}组", post_id=post.id)
                  for i, post in enumerate(posts)]
        db.session.add_all(groups)
        db.session.flush()
        assigned_at = h.at(day, 22.5)
        reported = set()
        for user, group, on_site_at, row in sorted(h.rainstorm_crew, key=lambda c: (c[1], c[0].id)):
            post = posts[group]
            deployment = self.deploy(incident, user, post, groups[group], assigned_at)
            self.acks_until(incident, deployment, user, ON_SITE, assigned_at, post, on_site_at)
            if row is not None:
                row["incident_id"] = incident.id
            if group not in reported:  # one report per group in the small hours
                reported.add(group)
                when = h.at(day, 25) + timedelta(minutes=self.rng.randint(0, 40))
                h.log(user, "flood_duty", self.w.by_id[post.place_id], when,
                      texts.RAINSTORM_UPDATE.format(group=group + 1, road=post.name), incident_id=incident.id,
                      duration=self.rng.randint(20, 40))
            stood_down = ended - timedelta(minutes=self.rng.randint(0, 20))
            self.ack(incident, deployment, user, STOOD_DOWN, stood_down,
                     note=self.rng.choice(texts.RAINSTORM_STOOD_DOWN))

    # --- today's, under way -----------------------------------------------------------------------

    def today(self) -> None:
        h, rng, w = self.h, self.rng, self.w
        started = h.now - timedelta(minutes=50)
        incident = self.incident(texts.TODAY_INCIDENT, started, None, w.places[names.SUBDISTRICT])
        junction, underpass, low_road = self.posts(incident, texts.TODAY_POSTS)
        demo_logins = set(w.logins.values())

        def members(role, place_name):
            place = w.places[place_name]
            return [u for u in w.people[role] if u not in demo_logins
                    and any(place in w.below[a.id] for a in w.assigned[u.id])]

        cadres = [u for u in w.people[YOUNG_CADRE] if u not in demo_logins][:2]
        salt = members(COMMUNITY_WORKER, "盐场社区")[:2]
        river = members(GRID_WORKER, "河滨村")[:1]
        groups = [IncidentGroup(incident_id=incident.id, name="河滨路组", post_id=underpass.id),
                  IncidentGroup(incident_id=incident.id, name="盐场路组", post_id=low_road.id)]
        db.session.add_all(groups)
        db.session.flush()
        sent = started + timedelta(minutes=5)
        plan = [(cadres[0], underpass, groups[0], ON_SITE), (cadres[1], underpass, groups[0], EN_ROUTE)]
        plan += [(user, low_road, groups[1], state) for user, state in zip(salt, (ON_SITE, RECEIVED))]
        plan += [(user, underpass, None, RECEIVED) for user in river]
        for user, post, group, last in plan:
            deployment = self.deploy(incident, user, post, group, sent)
            when = self.acks_until(incident, deployment, user, last, sent, post)
            if last == ON_SITE:
                place = w.by_id[post.place_id]
                h.checkin(user, place, when, f"到岗：{post.name}")
                h.log(user, "flood_duty", place, when + timedelta(minutes=rng.randint(3, 8)),
                      rng.choice(texts.TODAY_REPORTS).format(post=post.name), incident_id=incident.id,
                      duration=rng.randint(30, 60))
        # The demo liaison, sent to the junction by their village 22 minutes ago: no answer yet.
        self.deploy(incident, w.logins["liaison"], junction, None, h.now - timedelta(minutes=22))
