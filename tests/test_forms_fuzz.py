"""Bad input, generated, at every HTML door: every form that accepts a POST, and the query
strings of every page, answered with a page, a redirect or a field error, never a server
error. Field names are those of every form in the app, so the generated posts fill the real
fields with junk (huge and negative numbers, odd dates, long and odd Unicode text, a field
sent twice), and the ids in the addresses are the world's own, so the forms are reached."""
import re
import sys

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

SKIP_POST = {"auth.logout", "auth.login"}  # logging out would end the run's session; login has its own tests
LIST_PAGES_WITH_ARGS = ["/stats/export.csv", "/stats/export.xlsx"]


# No shrinking: each example walks every route, and the assertion names the address and the
# data that failed, which is what a shrunk example would tell.
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


def form_field_names() -> list[str]:
    """The fields of every form class defined in a module. A form class made per request (the
    evaluation's marks, whose fields are the round's items) comes and goes with the garbage
    collector: counting it would make the drawn names differ between examples; its own
    tests fuzz it."""
    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    def declared(form) -> bool:
        return getattr(sys.modules.get(form.__module__), form.__name__, None) is form
    return sorted({name for form in below(FlaskForm) if declared(form) for name in dir(form)
                   if hasattr(getattr(form, name), "field_class")} | {"page", "fmt", "lang"})


values = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str),
    st.sampled_from(["", " ", "0", "-1", "2147483648", "99999999999999999999", "1e309", "nan", "inf", "y",
                     "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "12:00", "2026-W99", "a" * 3000,
                     "２０２６-０１-０１", "１２３", "\u202e", "😀", "<b>", "../../etc/passwd", "' OR 1=1 --"]))


def form_data(names):
    return st.lists(st.tuples(st.sampled_from(names), values), max_size=12)


def addresses(app, method, world_ids) -> list[str]:
    """Every route for this method with its variable parts filled: ids from the world, the
    import kinds, the export formats."""
    found = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.rule.startswith(("/api/", "/static")) or rule.endpoint in SKIP_POST:
            continue
        if "<token>" in rule.rule or "<path:" in rule.rule:
            continue
        url = re.sub(r"<int:(\w+)>", lambda m: str(world_ids.get(m.group(1), 1)), rule.rule)
        url = re.sub(r"<any\(([^)]*)\):\w+>", lambda m: m.group(1).split(",")[0].strip(), url)
        if "<" not in url:
            found.append(url)
    return found


@pytest.fixture
def world_ids(world):
    return {"case_id": 1, "request_id": 1, "incident_id": 1, "deployment_id": 1, "user_id": world.liaison.id,
            "place_id": world.village_a.id, "household_id": world.household_a.id, "kind_id": 1, "category_id": 1}


@pytest.mark.parametrize("username", ["admin", "liaison"])
@SETTINGS
@given(data=st.data())
def test_whatever_is_posted_to_any_form_is_a_page_or_a_field_error_never_a_server_error(
        app, client, auth, world, world_ids, username, data):
    auth.login(username)
    names = form_field_names()
    for url in addresses(app, "POST", world_ids):
        pairs = data.draw(form_data(names))
        r = client.post(url, data=MultiDict(pairs))
        assert r.status_code < 500, (url, pairs, r.status_code)
        if r.status_code == 422:  # a form refused: it comes back with what is wrong said on it
            page = r.get_data(as_text=True)
            assert 'class="error' in page or "flash-error" in page, (url, pairs)


@pytest.mark.parametrize("username", ["leader", "liaison"])
@SETTINGS
@given(data=st.data())
def test_whatever_query_string_any_page_is_asked_with_is_never_a_server_error(
        app, client, auth, world, world_ids, username, data):
    auth.login(username)
    names = form_field_names()
    for url in addresses(app, "GET", world_ids) + LIST_PAGES_WITH_ARGS:
        query = data.draw(form_data(names))
        r = client.get(url, query_string=MultiDict(query))
        assert r.status_code < 500, (url, query, r.status_code)


# What the generated runs above found, kept as plain cases so that each stays proven on every
# run, whatever the next run happens to generate.
@pytest.mark.parametrize("url, expected", [
    ("/stats/export.csv?date_to=%20", 400),  # spaces: said to be no date, not a server error
    ("/stats/export.xlsx?date_to=0001-01-01", 400),  # the default start would be year 0
    ("/oversight/records?date_to=9999-12-31", 200),  # the day after it is no date; said on the form
    ("/oversight/records?date_from=0001-01-01", 200),
    ("/cases/?page=99999999999999999999", 200),  # an OFFSET no database holds
    ("/my/record?page=99999999999999999999", 200),
    ("/requests/households?place_id=99999999999999999999", 200),  # an id no column holds: none chosen
    ("/coverage/cell?user_id=99999999999999999999&place_id=1", 404),
])
def test_what_the_generated_runs_found(client, auth, world, url, expected):
    auth.login("leader")
    r = client.get(url)
    assert r.status_code == expected, (url, r.status_code)
    if "date_to=9999" in url or "date_from=0001" in url:
        assert "日期超出范围" in r.get_data(as_text=True)
