"""The sync API as OpenAPI 3.1, served at /api/v1/openapi.json.

Written here by hand from docs/sync-protocol.md (the contract) and held to the real answers
by tests/test_openapi.py, which also runs Schemathesis against it. The request level says
only what the server refuses as a whole (400/413): a body that is not {"records": [...]},
a `sent_at` that is no time, more than 200 records; what is wrong inside a record is that
record's own answer (`rejected` with its errors), so `records` items are described, not
constrained. The record types come from the registry, so a new type is listed at once."""
from .registry import RECORD_TYPES

_ERROR = {"type": "object", "required": ["error"],
          "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}}

DATA = {
    "checkin": {"place_id": "integer", "household_id": "integer", "lat": "number", "lon": "number", "accuracy_m": "number", "note": "string"},
    "task_log": {"kind": "string", "place_id": "integer", "summary": "string", "household_id": "integer",
                 "case_id": "integer", "request_id": "integer", "incident_id": "integer", "outcome": "string",
                 "next_step_on": "string", "duration_min": "integer", "directive_id": "integer",
                 "people_reached": "integer"},
    "request": {"place_id": "integer", "household_id": "integer", "category": "string", "resident_name": "string",
                "resident_phone": "string", "description": "string", "service_day_id": "integer"},
    "request_update": {"request_id": "integer", "action": "string", "base_version": "integer",
                       "assignee_id": "integer", "note": "string"},
    "incident_ack": {"incident_id": "integer", "state": "string", "lat": "number", "lon": "number",
                     "accuracy_m": "number", "note": "string"},
    "care_visit": {"trigger_id": "integer", "visited_on": "string", "visitors": "string", "brought": "string",
                   "follow_up": "string"},
    "service_tally": {"event_id": "integer", "service": "string", "count": "integer", "household_id": "integer",
                      "note": "string"},
}


def _record(kind: str) -> dict:
    fields = DATA.get(kind, {})
    return {"type": "object", "title": kind, "required": ["id", "type", "occurred_at", "data"],
            "properties": {
                "id": {"type": "string", "format": "uuid", "description": "made by the device when the person saved"},
                "type": {"const": kind},
                "occurred_at": {"type": "string", "format": "date-time"},
                "data": {"type": "object", "properties": {name: {"type": t} for name, t in fields.items()}}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json({"$ref": "#/components/schemas/Error"}, description)


def openapi_document() -> dict:
    types = list(RECORD_TYPES)
    result = {"type": "object", "required": ["id", "status"], "properties": {
        "id": {"description": "the record's id as it was sent (whatever it was)"},
        "status": {"enum": ["created", "duplicate", "rejected", "conflict"]},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "field → messages; only `server` means: keep it and retry"},
        "detail": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "福新外勤 Fuxin Field sync API", "version": "1",
                 "description": "The wire contract between the offline client and the server (sync protocol v1)."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "the session cookie of a login"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                         "description": "the csrf_token of GET /me, on every request that writes"}},
            "schemas": {
                "Error": _ERROR,
                "Record": {"anyOf": [_record(kind) for kind in types] + [{
                    "description": "anything else is answered `rejected` with its errors, record by record"}]},
                "Result": result}},
        "paths": {
            "/me": {"get": {
                "summary": "What a device needs to work offline",
                "security": [{"session": []}],
                "responses": {
                    "200": _json({"type": "object", "required": ["user", "types", "task_kinds", "places", "csrf_token"],
                                  "properties": {
                                      "user": {"type": "object", "required": ["username", "name", "role"],
                                               "properties": {"username": {"type": "string"}, "name": {"type": "string"},
                                                              "role": {"type": "string"}}},
                                      "types": {"type": "array", "items": {"enum": types}},
                                      "task_kinds": {"type": "array", "items": {
                                          "type": "object", "required": ["code", "label"],
                                          "properties": {"code": {"type": "string"}, "label": {"type": "string"}}}},
                                      "places": {"type": "array", "items": {
                                          "type": "object", "required": ["id", "name", "kind"],
                                          "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                         "kind": {"type": "string"},
                                                         "parent_id": {"type": ["integer", "null"]}}}},
                                      "directives": {"type": "array", "items": {
                                          "type": "object", "required": ["id", "title", "due_on", "place_ids"],
                                          "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                                         "due_on": {"type": "string", "format": "date"},
                                                         "place_ids": {"type": "array",
                                                                       "items": {"type": "integer"}}}}},
                                      "service_days": {"type": "array", "items": {
                                          "type": "object", "required": ["id", "title", "place_id", "on", "services"],
                                          "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                                         "place_id": {"type": "integer"},
                                                         "on": {"type": "string", "format": "date"},
                                                         "starts_at": {"type": "string"}, "ends_at": {"type": "string"},
                                                         "services": {"type": "array", "items": {
                                                             "type": "object", "required": ["code", "label"],
                                                             "properties": {"code": {"type": "string"},
                                                                            "label": {"type": "string"}}}}}}},
                                      "plan": {"type": "object", "description":
                                               "this month's planned visits (本月计划); empty for leaders and "
                                               "for people whose team has no rule", "properties": {
                                                   "month": {"type": "string", "description": "YYYY-MM"},
                                                   "done": {"type": "integer"}, "required": {"type": "integer"},
                                                   "owed": {"type": "array", "items": {
                                                       "type": "object",
                                                       "required": ["household_id", "place_id", "address", "tags",
                                                                    "due", "overdue"],
                                                       "properties": {
                                                           "household_id": {"type": "integer"},
                                                           "place_id": {"type": "integer"},
                                                           "place_name": {"type": "string"},
                                                           "address": {"type": "string"},
                                                           "tags": {"type": "array", "items": {"type": "string"}},
                                                           "done": {"type": "integer"},
                                                           "required": {"type": "integer"},
                                                           "due": {"type": "integer",
                                                                   "description": "visits still owed this month"},
                                                           "due_by": {"type": ["string", "null"], "format": "date"},
                                                           "overdue": {"type": "boolean"}}}}}},
                                      "csrf_token": {"type": "string"}}},
                                 "sent with an ETag; If-None-Match answers 304"),
                    "304": {"description": "unchanged since the ETag sent"},
                    "401": _error("no session")}}},
            "/sync": {"post": {
                "summary": "Store a device's records, each exactly once",
                "security": [{"session": [], "csrf": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["records"], "properties": {
                        "device_id": {"description": "a label of the device; kept if printable, at most 64 characters"},
                        "sent_at": {"type": "string", "format": "date-time",
                                    "description": "the device's clock when it sent; the error beyond 2 minutes is "
                                                   "corrected"},
                        "records": {"type": "array", "maxItems": 200, "items": {"$ref": "#/components/schemas/Record"}}}}}}},
                "responses": {
                    "200": _json({"type": "object", "required": ["results", "server_time"], "properties": {
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                        "server_time": {"type": "string"}}}, "one result per record, in order"),
                    "400": _error("the body is not {\"records\": [...]} or sent_at is no time"),
                    "401": _error("no session"),
                    "403": _error("CSRF token missing or wrong"),
                    "413": _error("more than 200 records or 1 MiB"),
                    "429": _error("rate limited; see Retry-After")}}},
            "/records/{record_id}/photos/{photo_id}": {"put": {
                "summary": "A photo of a synced record, idempotent by the photo's id",
                "security": [{"session": [], "csrf": []}],
                "parameters": [{"name": "record_id", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "photo_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("image/jpeg", "image/png", "image/webp")}},
                "responses": {
                    "200": _json({"type": "object"}, "already had it"),
                    "201": _json({"type": "object", "required": ["id", "record_id", "status"], "properties": {
                        "id": {"type": "string"}, "record_id": {"type": "string"}, "status": {"type": "string"},
                        "content_type": {"type": "string"}, "width": {"type": "integer"},
                        "height": {"type": "integer"}, "location_stripped": {"type": "boolean"}}}, "stored"),
                    "400": _error("the photo's id is no UUID"),
                    "401": _error("no session"),
                    "403": _error("CSRF token missing or wrong"),
                    "404": _error("no such record of this person's (yet): retry after the record syncs"),
                    "409": _error("the photo id is taken by other bytes, or the record has its photos"),
                    "413": _error("larger than 5 MiB or 4096 px a side (too_large), or the person's photo storage is full "
                                  "(quota_exceeded); `detail` says which, in the person's language"),
                    "415": _error("not a JPEG, PNG or WebP image"),
                    "429": _error("rate limited; see Retry-After")}}},
        },
    }
