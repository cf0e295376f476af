"""The circle picker with a network of 200: every person a checkbox, sorted by name with their
library, in a fixed number of queries; the "Find a person" box is there for the script."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.models import User
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, text

CHECKBOX = re.compile(r'<input type="checkbox" name="circle" value="(\d+)"')
NETWORK_SIZE = 200


def add_people(count: int, start: int = 0) -> list[User]:
    """Add active members in one go (a network of hundreds), each with a library."""
    people = [
        User(
            name=f"Person {n:03d}",
            email=f"person-{n}@example.org",
            library=f"Bibliotek {n % 17}",
            handle=f"person{n}",
        )
        for n in range(start, start + count)
    ]
    db.session.add_all(people)
    db.session.commit()
    return people


def offered(page: str) -> list[int]:
    """Return the ids of the people offered as checkboxes, in page order."""
    return [int(value) for value in CHECKBOX.findall(page)]


def test_a_network_of_200_renders_every_checkbox_in_a_constant_number_of_queries(
    client, login_as, member, theme, count_queries
):
    login_as(member)
    add_people(3)
    url = f"/tema/{theme.id}/ny"

    def new_thread_page() -> None:
        db.session.commit()  # start from the same state each time: no transaction, all expired
        response = client.get(url)
        assert response.status_code == 200
        pages.append(text(response))

    pages: list[str] = []
    few = count_queries(new_thread_page)
    assert len(offered(pages[-1])) == 3
    add_people(NETWORK_SIZE - 3, start=3)
    many = count_queries(new_thread_page)
    assert many == few
    assert len(offered(pages[-1])) == NETWORK_SIZE


def test_the_visibility_page_of_a_network_of_200_keeps_its_queries(
    client, login_as, member, theme, count_queries
):
    thread = thread_service.create_thread(member, theme, "Spørgsmål", "Tekst")
    db.session.commit()
    login_as(member)
    add_people(3)
    url = f"/traad/{thread.id}/synlighed"

    def visibility_page() -> None:
        db.session.commit()
        response = client.get(url)
        assert response.status_code == 200
        pages.append(text(response))

    pages: list[str] = []
    few = count_queries(visibility_page)
    add_people(NETWORK_SIZE - 3, start=3)
    assert count_queries(visibility_page) == few
    assert len(offered(pages[-1])) == NETWORK_SIZE


def test_without_javascript_the_picker_is_a_plain_list_by_name_with_libraries(
    client, login_as, member, theme
):
    people = [
        factories.user(name=name, library=library)
        for name, library in (
            ("Åse Ågård", "Aabenraa Bibliotek"),
            ("bente lille", "Bibliotek Nord"),
            ("Ærlige Ærling", ""),
            ("Anders And", "Andeby Bibliotek"),
            ("Øjvind Øster", "Østerbro Bibliotek"),
            ("Zenia Zink", "Zealand Lib"),
        )
    ]
    login_as(member)
    page = text(client.get(f"/tema/{theme.id}/ny"))
    by_id = {person.id: person.name for person in people}
    # Case does not matter, and æ, ø, å come last as in a Danish dictionary.
    assert [by_id[i] for i in offered(page)] == [
        "Anders And",
        "bente lille",
        "Zenia Zink",
        "Ærlige Ærling",
        "Øjvind Øster",
        "Åse Ågård",
    ]
    assert '<span class="meta">(Østerbro Bibliotek)</span>' in page
    # The filter box waits hidden for the script, which comes as a file (strict CSP).
    filter_box = re.search(r"<div class=\"people-filter\"[^>]*>", page).group(0)
    assert " hidden" in filter_box
    assert f'<label for="circle-filter">{da("Find a person")}</label>' in page
    assert '<script src="/static/js/filter_people.js' in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None


def test_each_person_can_be_found_by_name_library_or_handle(client, login_as, member, theme):
    person = factories.user(name="Karen Kvist", library="Hovedbiblioteket")
    login_as(member)
    page = text(client.get(f"/tema/{theme.id}/ny"))
    item = re.search(
        rf'<li class="checkbox" data-person="([^"]*)">\s*<input[^>]*value="{person.id}"', page
    )
    assert item is not None
    assert item.group(1) == f"karen kvist hovedbiblioteket @{person.handle}"


def test_the_ticked_people_stay_ticked_when_the_form_comes_back(client, login_as, member, theme):
    chosen, other = add_people(2)
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "", "body": "Tekst", "visibility": "circle", "circle": [chosen.id]},
    )
    assert response.status_code == 422
    page = text(response)
    assert re.search(rf'value="{chosen.id}" id="circle-{chosen.id}" checked', page)
    assert not re.search(rf'value="{other.id}" id="circle-{other.id}" checked', page)
