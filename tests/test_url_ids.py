"""Any id in any address is answered with a page, a redirect or a 404, never a server error:
an id no database column can hold (`/cases/99999999999999999999`) is unknown like any other."""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INT_ARG = re.compile(r"<int:(\w+)>")


def id_rules(app, method):
    """Every route whose variable parts are all ids, for this method."""
    return [rule for rule in app.url_map.iter_rules()
            if method in rule.methods and rule.arguments
            and all(f"<int:{name}>" in rule.rule for name in rule.arguments)]


def with_ids(rule, number) -> str:
    return INT_ARG.sub(str(number), rule.rule)


def test_there_are_id_routes_to_try(app):
    assert len(id_rules(app, "GET")) >= 10 and len(id_rules(app, "POST")) >= 5


def test_an_id_no_column_holds_is_a_404(client, auth, world):
    auth.login("admin")
    assert client.get("/cases/99999999999999999999").status_code == 404
    assert client.get("/requests/2147483648").status_code == 404
    assert client.get("/cases/2147483647").status_code == 404  # the largest an id can be: simply unknown


@pytest.mark.parametrize("username", ["admin", "liaison"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.one_of(st.integers(min_value=0, max_value=10 ** 25), st.sampled_from([0, 2 ** 31 - 1, 2 ** 31,
                                                                                     2 ** 63, 10 ** 20])))
def test_any_id_in_any_address_is_never_a_server_error(app, client, auth, world, username, number):
    auth.login(username)
    for method in ("GET", "POST"):
        for rule in id_rules(app, method):
            r = client.open(with_ids(rule, number), method=method)
            assert r.status_code < 500, (method, rule.rule, number, r.status_code)
