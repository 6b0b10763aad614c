"""The sync API published as OpenAPI 3.1 (/api/v1/openapi.json), held to the real answers,
and Schemathesis, a real third-party client, run against it: whatever it sends, the answer
is the document's (status, content type, body shape) and never a server error."""
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.test_sync import checkin, now_iso, task_log


@pytest.fixture
def api(app):
    def each_request_on_its_own(environ, start_response):
        # As under a server: a fresh app context (and `g`) for every request. The tests'
        # app context would otherwise carry the last request's logged-in person into the
        # next one, and Schemathesis's probe without the cookie would find them there.
        # Schemathesis's WSGI client asks for gzip but does not unzip; an HTTP client would.
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        with app.app_context():
            return app(environ, start_response)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", each_request_on_its_own)


def test_the_document_is_public_and_lists_every_record_type(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.get_json()["openapi"] == "3.1.0"
    record = r.get_json()["components"]["schemas"]["Record"]["anyOf"]
    assert [branch["title"] for branch in record if "title" in branch] == \
        ["checkin", "task_log", "request", "request_update", "incident_ack", "care_visit", "service_tally"]


def test_real_answers_are_the_documents(api, client, auth, world):
    """Each answer a device meets, checked against the document's schema for its status."""
    def conforms(path, method, response):
        assert api[path][method].validate_response(response) is not False, (path, response.status_code)
        return response

    assert conforms("/me", "GET", client.get("/api/v1/me")).status_code == 401
    assert conforms("/sync", "POST", client.post("/api/v1/sync", json={"records": []})).status_code == 401
    auth.login("liaison")
    me = conforms("/me", "GET", client.get("/api/v1/me"))
    assert me.status_code == 200
    assert conforms("/me", "GET", client.get("/api/v1/me", headers={"If-None-Match": me.headers["ETag"]})
                    ).status_code == 304
    batch = [checkin(world.village_a.id), task_log(world.village_a.id), checkin(world.village_b.id),
             {"id": 7, "type": "poem", "data": []}]
    r = conforms("/sync", "POST", client.post("/api/v1/sync", json={"sent_at": now_iso(), "records": batch}))
    assert [x["status"] for x in r.get_json()["results"]] == ["created", "created", "rejected", "rejected"]
    assert conforms("/sync", "POST", client.post("/api/v1/sync", data="not json")).status_code == 400
    assert conforms("/sync", "POST", client.post("/api/v1/sync", json={"records": [{}] * 201})).status_code == 413
    photo = f"/api/v1/records/{batch[0]['id']}/photos/{uuid.uuid4()}"
    assert conforms("/records/{record_id}/photos/{photo_id}", "PUT",
                    client.put(photo, data=b"not an image", content_type="image/jpeg")).status_code == 415


@pytest.mark.parametrize("path, method", [("/me", "GET"), ("/sync", "POST"),
                                          ("/records/{record_id}/photos/{photo_id}", "PUT")])
def test_schemathesis_finds_nothing_the_document_does_not_say(app, api, client, auth, world, path, method):
    """Schemathesis generates requests from the document (valid and invalid ones) and checks
    each answer: no 5xx, a status the document lists, its content type and body shape.
    (Driven through its Hypothesis strategy: its pytest loader does not run on pytest 9.)"""
    auth.login("liaison")
    app.config["WTF_CSRF_ENABLED"] = True  # as in production, from here on
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    session = client.get_cookie("session").value

    @api.auth()
    class Session:
        """The login's cookie and CSRF token, where the document says they go; Schemathesis
        also sends requests without them and with wrong ones, and expects those refused."""

        def get(self, case, context):
            return session, token

        def set(self, case, data, context):
            case.cookies = {**(case.cookies or {}), "session": data[0]}
            case.headers = {**(case.headers or {}), "X-CSRFToken": data[1]}

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=api[path][method].as_strategy())
    def answer_is_the_documents(case):
        case.call_and_validate()
    answer_is_the_documents()
