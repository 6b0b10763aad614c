"""The matters of the benchmark year (bench/year_data.py): household cases, resident requests
with every event and follow-up visit, and incidents with their posts, groups, deployments,
acknowledgements and reports. A mixin of year_data.Year, whose helpers it uses: record()
makes a device record (dropped, after the draws, if it would fall in the future), log() a
task log, cap() keeps a time before now."""
from datetime import timedelta

from fuxin_pwa.auth.models import LEADER
from fuxin_pwa.cases.models import Case, CaseEvent
from fuxin_pwa.demo import names, texts
from fuxin_pwa.demo.request_texts import CLOSE_NOTES, DESCRIPTIONS, REFERRED_TO, VISITS
from fuxin_pwa.dispatch.models import Deployment, Incident, IncidentAck, IncidentGroup, Post
from fuxin_pwa.requests.models import RequestEvent, ResidentRequest
from fuxin_pwa.timeutil import to_local

BIG_POSTS, BIG_PEOPLE, BIG_REPORTS = 12, 150, 200
CATEGORY_WEIGHTS = {"facility_repair": 30, "neighbour_dispute": 12, "sanitation": 20, "policy_question": 15,
                    "assistance": 13, "other": 10}
CLOSED_WEIGHTS = {"resolved": 70, "partly_resolved": 12, "cannot_resolve": 8, "referred": 10}
SATISFACTION = {"satisfied": 60, "basically": 25, "unreachable": 10, "unsatisfied": 5}
FLOOD_MONTHS = {6: 3, 7: 6, 8: 6, 9: 3}  # incident weight by month (others 1)
POST_SUFFIXES = ["低洼路段", "路口", "下穿通道", "涵洞", "积水点", "桥头"]
INCIDENT_TITLES = {"flood": "暴雨防汛", "typhoon": "台风防御", "snow": "降雪除冰", "fire": "火情处置",
                   "other": "突发事件处置"}
INCIDENT_REPORTS = ["积水约20厘米，已设置警示锥，劝导车辆绕行", "雨水篦子堵塞，已清理，排水恢复",
                    "道路临时封闭，协助交警疏导", "水位回落，继续值守", "现场情况稳定，等待撤岗通知"]


class Matters:
    """Cases, requests and incidents, drawn into the Year's rows."""

    # --- cases and requests -----------------------------------------------------------------------------

    def cases(self, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            (household, place_id), kind = rng.choice(self.all_households), rng.choice(list(texts.CASES))
            task_kind, titles, plan = texts.CASES[kind]
            owner = self.cover(place_id)
            opened = self.cap(self.at(self.today - timedelta(days=rng.randint(0, self.weeks * 7 - 1)), self.hour()))
            status = rng.choices(("resolved", "in_progress", "open"), weights=(5, 4, 1))[0]
            visits = sorted(opened + (self.now - opened) * rng.uniform(0.02, 0.9) for _ in range(rng.randint(1, 6)))
            closed = self.cap(visits[-1] + timedelta(hours=2)) if status == "resolved" else None
            cid = self.add(Case, {"household_id": household[0], "kind": kind, "title": rng.choice(titles),
                                  "plan": plan, "status": status, "owner_id": owner["id"],
                                  "created_by_id": owner["id"], "opened_at": opened, "closed_at": closed,
                                  "version": {"open": 1, "in_progress": 2, "resolved": 3}[status]})
            moves = [(None, "open", opened)] + ([("open", "in_progress", visits[0])] if status != "open" else [])
            moves += [("in_progress", "resolved", closed)] if closed else []
            for was, to, at in moves:
                self.add(CaseEvent, {"case_id": cid, "user_id": owner["id"], "from_status": was, "to_status": to,
                                     "at": at, "note": None})
            for when in visits if status != "open" else []:
                self.log(owner, task_kind, place_id, when, self.text(task_kind, place_id, household), household,
                         case_id=cid)

    def requests(self, count: int) -> None:
        for _ in range(count):
            self.request()

    def request(self) -> None:
        rng = self.rng
        code = self.pick(CATEGORY_WEIGHTS)
        category_id, deadline = self.categories[code]
        household, place_id = rng.choice(self.all_households)
        cover, days, at_desk = self.cover(place_id), rng.uniform(0, self.weeks * 7), rng.random() < 0.4
        raiser = rng.choice(self.people[LEADER]) if at_desk else rng.choice(self.covers[place_id])
        raised = self.cap(self.at(self.today - timedelta(days=int(days)),
                                  rng.uniform(8.5, 17.5) if at_desk else self.hour()))
        late = days > deadline
        closed = rng.random() < (0.98 if late else 0.35)
        close_to = self.pick(CLOSED_WEIGHTS)
        span = timedelta(days=max(min(deadline * rng.uniform(0.1, 1.3), days - 0.2), 0.05))
        description = rng.choice(DESCRIPTIONS[code]).format(
            head=household[1], addr=household[3], where=self.where(place_id), road=rng.choice(names.ROADS))
        data = {"place_id": place_id, "household_id": household[0], "category_id": category_id,
                "resident_name": household[1], "resident_phone": household[2], "description": description}
        rid = self.record(ResidentRequest, raiser["id"], raised, "request", data)
        request = self.rows[ResidentRequest][-1]
        request.update(status="received", assignee_id=None, assignee_team=None, referred_to=None,
                       close_note=None, closed_at=None, satisfaction=None, version=1,
                       due_at=raised + timedelta(days=deadline))

        def event(when, user, action, to=None, **fields):
            row = {"request_id": rid, "action": action, "from_status": request["status"],
                   "to_status": to, "assignee_id": None, "assignee_team": None, "referred_to": None,
                   "satisfaction": None, "note": None, "base_version": request["version"], "conflict": False,
                   **fields}
            self.record(RequestEvent, user["id"], self.cap(when), "request_update", row)
            request["version"] += 1
            if to:
                request["status"] = to

        boss = raiser if at_desk else rng.choice(self.people[LEADER])
        if code == "policy_question" and at_desk and closed and rng.random() < 0.7:  # answered at the desk
            when, note = self.cap(raised + timedelta(minutes=rng.randint(5, 40))), rng.choice(CLOSE_NOTES["resolved"])
            event(when, raiser, "close", "resolved", note=note)
            request.update(closed_at=when, close_note=note)
            return
        if not closed and days < 2 and rng.random() < 0.4:
            return  # taken down, not yet assigned
        team = rng.random() < 0.15
        person = None if team else (raiser if not at_desk and rng.random() < 0.5 else cover)
        worker = person or cover
        assigned = raised + timedelta(hours=rng.uniform(0.1, 5))
        event(assigned, boss, "assign", "assigned", assignee_id=person and person["id"],
              assignee_team=cover["team"] if team else None)
        request.update(assignee_id=person and person["id"], assignee_team=cover["team"] if team else None)
        visits = rng.choice((0, 1, 1, 2, 2, 3, 4)) if code != "policy_question" else rng.choice((0, 1))
        end = raised + span if closed else self.now - (self.now - raised) * 0.1
        end = max(end, assigned + timedelta(minutes=30))  # after the assignment, even for today's
        if not closed and rng.random() < 0.25:
            return  # assigned, not started yet
        times = sorted(assigned + (self.cap(end) - assigned) * rng.uniform(0.05, 0.95) for _ in range(visits + 1))
        if visits == 0 or rng.random() < 0.3:
            event(times[0], worker, "start", "in_progress")
        first, middle, last = VISITS[code]
        for n, when in enumerate(times[1:]):
            summary = rng.choice(first if n == 0 else last if n == visits - 1 and closed else middle)
            summary = summary.format(head=household[1], addr=household[3], where=self.where(place_id))
            self.log(worker, "request_followup", place_id, self.cap(when), summary, household, request_id=rid)
            if request["status"] == "assigned":
                event(when, worker, "start", "in_progress", note="记录办理走访后自动转为办理中")
                self.rows[RequestEvent][-1]["source"] = "visit"
        if not closed:
            return
        when = self.cap(end)
        note, referred = rng.choice(CLOSE_NOTES[close_to]), rng.choice(REFERRED_TO)
        event(when, worker, "close", close_to, note=note, referred_to=referred if close_to == "referred" else None)
        request.update(closed_at=when, close_note=note, referred_to=referred if close_to == "referred" else None)
        if days - span.days > 3 and rng.random() < 0.3:
            satisfaction = self.pick(SATISFACTION)
            event(when + timedelta(hours=rng.uniform(20, 70)), rng.choice((raiser, boss)), "callback",
                  satisfaction=satisfaction)
            request["satisfaction"] = satisfaction

    # --- incidents ---------------------------------------------------------------------------------------

    def incidents(self, count: int) -> None:
        rng = self.rng
        leader = self.people[LEADER][0]
        days = [self.today - timedelta(days=d) for d in range(1, self.weeks * 7)]  # before today: all ended
        weights = [FLOOD_MONTHS.get(d.month, 1) for d in days]
        for n in range(count):
            big = n == count - 1  # the last one: large, and under way now
            started = self.now - timedelta(hours=3) if big else self.at(rng.choices(days, weights)[0],
                                                                         rng.uniform(14, 23))
            ended = None if big else started + timedelta(hours=rng.uniform(3, 12))
            kind = "flood" if big or FLOOD_MONTHS.get(to_local(started).month) else rng.choice(
                ("snow", "fire", "other", "typhoon"))
            iid = self.add(Incident, {"kind": kind, "title": f"{INCIDENT_TITLES[kind]}（{n + 1}）",
                                      "area": rng.choice(names.ROADS) + "沿线", "place_id": None,
                                      "status": "open" if big else "closed", "started_at": started,
                                      "ended_at": ended, "note": None, "created_by_id": leader["id"],
                                      "created_at": started})
            posts = []
            for k in range(BIG_POSTS if big else rng.randint(3, 8)):
                place_id = rng.choice(self.level1)
                lat, lon = self.centres[place_id]
                name = rng.choice(names.ROADS) + POST_SUFFIXES[k % 6]
                posts.append((self.add(Post, {"incident_id": iid, "name": name, "place_id": place_id, "lat": lat,
                                              "lon": lon, "note": None, "sort": k + 1}), place_id, lat, lon))
            groups = [(self.add(IncidentGroup, {"incident_id": iid, "name": f"第{k + 1}组", "post_id": post[0]}), post)
                      for k, post in enumerate(posts)]
            people = rng.sample(self.field, BIG_PEOPLE if big else rng.randint(8, 40))
            reports = 0
            for user in people:
                group, (post_id, place_id, lat, lon) = rng.choice(groups)
                sent = started + timedelta(minutes=rng.randint(5, 30))
                last = rng.choices(("assigned", "received", "en_route", "on_site", "stood_down"),
                                   weights=(8, 10, 15, 67, 0) if big else (3, 2, 5, 15, 75))[0]
                did = self.add(Deployment, {"incident_id": iid, "user_id": user["id"], "group_id": group,
                                            "post_id": post_id, "state": "assigned", "state_at": sent,
                                            "assigned_at": sent, "assigned_by_id": leader["id"]})
                deployment, when = self.rows[Deployment][-1], sent
                for state in ("received", "en_route", "on_site", "stood_down"):
                    if last == "assigned":
                        break
                    when = (ended - timedelta(minutes=rng.randint(0, 30))) if state == "stood_down" \
                        else self.cap(when + timedelta(minutes=rng.randint(1, 15)))
                    at_post = state == "on_site" and rng.random() < 0.9
                    self.record(IncidentAck, user["id"], when, "incident_ack", {
                        "incident_id": iid, "deployment_id": did, "state": state,
                        "lat": round(lat + rng.uniform(-3e-4, 3e-4), 6) if at_post else None,
                        "lon": round(lon + rng.uniform(-3e-4, 3e-4), 6) if at_post else None,
                        "accuracy_m": round(rng.uniform(6, 40), 1) if at_post else None, "note": None})
                    deployment.update(state=state, state_at=when)
                    if state == "on_site" and (not big or reports < BIG_REPORTS):
                        for _ in range(rng.choice((1, 1, 2)) if big else rng.choice((0, 1, 1, 2))):
                            reports += 1
                            at = self.cap(when + timedelta(minutes=rng.randint(3, 90)))
                            summary = INCIDENT_REPORTS[reports % len(INCIDENT_REPORTS)]
                            self.log(user, "flood_duty", place_id, at, summary, incident_id=iid)
                    if state == last:
                        break
