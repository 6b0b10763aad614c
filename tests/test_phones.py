"""One phone rule for the admin's forms and a resident's request: a mobile (11 digits, 13x to
19x) or a landline with its area code; spaces and +86 are how people write numbers. A wrong
number comes back in the form with its error and everything typed, and nothing is stored."""
import string

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuxin_pwa.extensions import db
from fuxin_pwa.phones import is_phone, normalise_phone
from fuxin_pwa.places.models import Household
from fuxin_pwa.requests.models import ResidentRequest

FIXTURES_PER_EXAMPLE = settings(max_examples=40, deadline=None,
                                suppress_health_check=[HealthCheck.function_scoped_fixture])
ERROR = "不正确：请填写11位手机号，或带区号的座机号"
GOOD = [("13812345678", "13812345678"), ("0535-6681234", "0535-6681234"), ("05356681234", "05356681234"),
        ("138 1234 5678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("010-12345678", "010-12345678")]
BAD = ["1381234567", "23812345678", "6681234", "0535-668123", "138123456789", "1381234567x", "12812345678"]


def raise_request(client, world, phone, name="王大爷"):
    return client.post("/requests/new", data={"resident_name": name, "resident_phone": phone,
                                              "place_id": world.village_a.id, "category": "policy_question",
                                              "description": "咨询低保政策"})


def add_household(client, world, phone, address="东村9号"):
    return client.post(f"/admin/places/{world.grid_a.id}/households/new",
                       data={"address": address, "head_name": "陈大娘", "phone": phone})


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def assert_refused(r, typed, *kept):
    page = r.get_data(as_text=True)
    assert r.status_code == 422, typed
    assert ERROR in page, typed
    for value in kept:
        assert value in page  # the form comes back filled in


@pytest.mark.parametrize("typed, stored", GOOD)
def test_a_good_number_is_stored_as_digits_in_a_request_and_a_household(client, auth, world, typed, stored):
    auth.login("admin")
    assert raise_request(client, world, typed).status_code == 302
    assert db.session.scalar(sa.select(ResidentRequest.resident_phone)) == stored
    assert add_household(client, world, typed).status_code == 302
    assert db.session.scalar(sa.select(Household.phone).where(Household.address == "东村9号")) == stored


@pytest.mark.parametrize("typed", BAD)
def test_a_wrong_number_comes_back_in_either_form_and_nothing_is_stored(client, auth, world, typed):
    auth.login("admin")
    households = count(Household)
    assert_refused(raise_request(client, world, typed), typed, "王大爷", "咨询低保政策")
    assert_refused(add_household(client, world, typed), typed, "东村9号", "陈大娘")
    assert count(ResidentRequest) == 0 and count(Household) == households


@FIXTURES_PER_EXAMPLE
@given(typed=st.text(alphabet=string.digits + " -+()#*x一二\t", max_size=20))
def test_whatever_is_typed_the_request_form_stores_a_right_number_or_says_why(client, auth, world, typed):
    auth.login("leader")
    before = count(ResidentRequest)
    r = raise_request(client, world, typed)
    wanted = normalise_phone(typed.strip())
    if not wanted or is_phone(wanted):
        assert r.status_code == 302
        stored = db.session.scalar(sa.select(ResidentRequest.resident_phone).order_by(ResidentRequest.id.desc()))
        assert (stored or "") == wanted and count(ResidentRequest) == before + 1
    else:
        assert_refused(r, typed, "王大爷")
        assert count(ResidentRequest) == before


@FIXTURES_PER_EXAMPLE
@given(digits=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), spaced=st.booleans(), prefixed=st.booleans())
def test_every_mobile_number_however_written_is_taken(client, auth, world, digits, spaced, prefixed):
    auth.login("leader")
    typed = " ".join([digits[:3], digits[3:7], digits[7:]]) if spaced else digits
    r = raise_request(client, world, ("+86 " if prefixed else "") + typed)
    assert r.status_code == 302
    assert db.session.scalar(sa.select(ResidentRequest.resident_phone).order_by(ResidentRequest.id.desc())) == digits
