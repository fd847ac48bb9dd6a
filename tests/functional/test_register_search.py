"""The register search as the secretary uses it: by name, member number, address or postcode,
filtered by status, estate and block, in name order, a page at a time."""

import html
import re
from datetime import date

import pytest

from tests.factories import EstateFactory, HomeFactory, MemberFactory, TenancyFactory
from tmo.models.membership import Block
from tmo.permissions import Role

REGISTER = "/secretary/register"


def member_at(name: str, home=None, **attributes):
    home = home or HomeFactory()
    return MemberFactory(name=name, tenancy=TenancyFactory(home=home), **attributes)


def found(testapp, q: str | None = None, **params) -> list[str]:
    """The names the register lists for a search, in order (one page)."""
    if q is not None:
        params["q"] = q
    page = testapp.get(REGISTER, params=params)
    return [
        html.unescape(name)
        for name in re.findall(r'/secretary/register/\d+">([^<]+)</a>', page.text)
    ]


@pytest.fixture
def secretary(logged_in):
    return logged_in(Role.SECRETARY)


@pytest.fixture
def people(secretary):
    """A small register: names of every shape, homes in two postcodes and on a street."""
    oak = HomeFactory(
        address_line_1="Flat 3 Oak House",
        address_line_2="Golborne Road, London",
        postcode="W10 6AB",
    )
    elm = HomeFactory(
        address_line_1="Flat 12 Elm House",
        address_line_2="Golborne Road, London",
        postcode="W10 5PA",
    )
    house = HomeFactory(
        address_line_1="12 Portobello Road", address_line_2="London", postcode="W11 1AA"
    )
    ash = HomeFactory(
        address_line_1="Flat 1 Ash Court",
        address_line_2="Bramley Road, London",
        postcode="NW10 5QT",
    )
    return {
        "okafor": member_at("Zainab Okafor", oak, member_number=77),
        "obrien": member_at("Seán O'Brien", elm, member_number=770),
        "souza": member_at("Maria Ana De Souza", house, member_number=177),
        "smith_jones": member_at("Tom Smith-Jones", ash, member_number=1770),
    }


# By name ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "okafor",
        "Okafor",
        "OKAFOR",
        "Zainab",
        "zainab okafor",
        "  Zainab   Okafor  ",
        "Oka",
        "zainab o",
    ],
)
def test_a_name_is_found_by_any_of_its_words_whatever_the_case_and_spaces(testapp, people, query):
    assert found(testapp, query) == ["Zainab Okafor"]


def test_a_name_is_found_from_the_start_of_a_word_not_from_inside_one(testapp, people):
    assert found(testapp, "kafor") == []
    assert found(testapp, "ainab") == []


@pytest.mark.parametrize("query", ["O'Brien", "o'brien", "OBrien", "o\u2019brien", "Sean", "Seán"])
def test_apostrophes_and_accents_do_not_matter(testapp, people, query):
    assert found(testapp, query) == ["Seán O'Brien"]


@pytest.mark.parametrize("query", ["Smith-Jones", "smith jones", "Jones", "smith"])
def test_a_hyphenated_surname_is_found_by_either_half_or_both(testapp, people, query):
    assert found(testapp, query) == ["Tom Smith-Jones"]


@pytest.mark.parametrize("query", ["Maria", "Ana", "De Souza", "souza", "maria ana de souza"])
def test_middle_names_and_surnames_of_several_words_are_found(testapp, people, query):
    assert found(testapp, query) == ["Maria Ana De Souza"]


# By member number -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["77", "M000077", "m77", "000077", " M 77 "])
def test_a_member_number_finds_that_member_only(testapp, people, query):
    # Not 770, 177 or 1770, which contain 77.
    assert found(testapp, query) == ["Zainab Okafor"]


def test_a_number_larger_than_any_member_number_finds_nobody(testapp, people):
    assert found(testapp, "99999999999999999999") == []


# By address and postcode ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Oak House", "oak", "Flat 3 Oak House", "flat 3", "oak house golborne"]
)
def test_a_block_or_the_start_of_an_address_is_found(testapp, people, query):
    assert found(testapp, query) == ["Zainab Okafor"]


def test_a_street_finds_everyone_on_it(testapp, people):
    assert found(testapp, "Golborne Road") == ["Seán O'Brien", "Zainab Okafor"]
    assert found(testapp, "portobello") == ["Maria Ana De Souza"]
    assert found(testapp, "12 Portobello Road") == ["Maria Ana De Souza"]


@pytest.mark.parametrize(
    "query", ["W10 6AB", "w10 6ab", "w106ab", "W10  6AB", "W10 6", "w106", "W10 6A"]
)
def test_a_postcode_or_its_start_is_found(testapp, people, query):
    assert found(testapp, query) == ["Zainab Okafor"]


def test_a_postcode_district_finds_all_of_it_and_no_other(testapp, people):
    assert found(testapp, "W10") == ["Seán O'Brien", "Zainab Okafor"]
    assert found(testapp, "w11") == ["Maria Ana De Souza"]
    assert found(testapp, "SW10") == []


# Nothing typed is a wildcard --------------------------------------------------------------------


@pytest.mark.parametrize("query", ["%", "_", "%%", "%kafor", "Ok%r", "O_Brien", "'", "*", "?"])
def test_percent_and_underscore_are_not_wildcards(testapp, people, query):
    page = testapp.get(REGISTER, params={"q": query})
    assert "No members match" in page.text
    assert found(testapp, query) == []


def test_the_search_keeps_what_was_typed_in_the_form(testapp, people):
    page = testapp.get(REGISTER, params={"q": "  O'Brien "})
    search_form = next(form for form in page.forms.values() if "q" in form.fields)
    assert search_form["q"].value == "O'Brien"


# Filters, order and pages -----------------------------------------------------------------------


def test_status_filters_current_former_or_all(testapp, secretary):
    member_at("Ann Current")
    member_at("Ann Former", ceased_on=date(2024, 1, 1), ceased_reason="resigned")
    assert found(testapp, "ann") == ["Ann Current"]
    assert found(testapp, "ann", status="former") == ["Ann Former"]
    assert found(testapp, "ann", status="all") == ["Ann Current", "Ann Former"]
    assert found(testapp, "ann", status="nonsense") == ["Ann Current"]
    assert found(testapp, status="former") == ["Ann Former"]


def test_estate_and_block_filters_alone_and_with_a_search(testapp, dbsession, secretary):
    estate = EstateFactory(name="Silchester Estate")
    block = Block(estate=estate, name="Frinstead House")
    dbsession.add(block)
    dbsession.commit()
    in_block = member_at("Ruth Adeyemi", HomeFactory(estate=estate, block=block))
    in_estate = member_at("Ruth Mensah", HomeFactory(estate=estate))
    member_at("Ruth Elsewhere")

    assert found(testapp, estate=str(estate.id)) == [in_block.name, in_estate.name]
    assert found(testapp, block=str(block.id)) == [in_block.name]
    assert found(testapp, "ruth", estate=str(estate.id)) == [in_block.name, in_estate.name]
    assert found(testapp, "mensah", block=str(block.id)) == []
    assert found(testapp, "ruth", estate="not-a-number") == [
        "Ruth Adeyemi",
        "Ruth Elsewhere",
        "Ruth Mensah",
    ]


def test_results_are_in_name_order_and_paged_with_a_total(testapp, secretary):
    for n in reversed(range(30)):
        member_at(f"Member {n:02d}", member_number=5000 + n)
    member_at("Member 00", member_number=4999)  # the same name: by number

    first = testapp.get(REGISTER, params={"q": "member"})
    assert "Page 1 of 2 (31 in all)" in first.text
    names = found(testapp, "member")
    assert names[:3] == ["Member 00", "Member 00", "Member 01"]
    assert len(names) == 25
    assert found(testapp, "member", page="2") == [f"Member {n:02d}" for n in range(24, 30)]
    # Past the last page: the last page.
    assert found(testapp, "member", page="9") == found(testapp, "member", page="2")
    numbers = re.findall(r"<td>(M\d{6})</td>", first.text)
    assert numbers[:2] == ["M004999", "M005000"]


def test_a_renamed_member_is_found_by_the_new_name_only(testapp, dbsession, secretary):
    member = member_at("Grace Oldname")
    member.name = "Grace Newname"
    dbsession.commit()
    assert found(testapp, "newname") == ["Grace Newname"]
    assert found(testapp, "oldname") == []


def test_purged_entries_are_never_listed_or_found(testapp, dbsession, secretary):
    purged = member_at("Pat Gone", member_number=4321, ceased_on=date(2010, 1, 1))
    purged.name = ""
    purged.address = ""
    dbsession.commit()
    for params in (
        {"status": "all"},
        {"q": "4321", "status": "all"},
        {"q": "pat", "status": "all"},
    ):
        assert found(testapp, **params) == [], params
