"""No input gives a 500: hostile query strings on every GET route, hostile values in every
field of every form the site shows, and NUL characters in paths.

The routes come from `app.url_map` and the forms from the pages themselves, so a new route or
field is covered without touching this file. Each page is visited as the first of admin,
the member who owns the objects, and an anonymous visitor who gets it (the owner reaches
author-only pages; anonymous visitors the login and token pages).
"""

from __future__ import annotations

import re
import time
from typing import ClassVar
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from forum.extensions import db
from tests import factories, site

NUL = "a\x00b"
ONE_MB = "a" * 1_000_000
ODD = "\u202e\ufeffÆØÅ\u0301\U0001f600\u200b"
# Query values: NUL, very long, negative, huge, not numbers, unicode oddities, markup.
QUERY_VALUES = (NUL, "9" * 100_000, "-1", "99999999999999999999", "abc", ODD, "%", "")
# The names url_for() takes as its own arguments, were they passed on from the query.
URL_FOR_NAMES = ("endpoint", "_method", "_external", "_anchor", "_scheme", "values")
# Field values: 1 MB and unicode oddities in text boxes; numbers out of range (offered by no
# choice) and oddities in choices, dates and hidden fields.
TEXT_VALUES = (ONE_MB, ODD)
CHOICE_VALUES = ("-1", "99999999999999999999", ODD)


class Failures:
    """The requests that answered 5xx or raised, collected so one run reports them all."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.requests = 0

    def check(self, client: object, method: str, path: str, **kwargs: object) -> int | None:
        """Send the request; record a 5xx answer or an exception."""
        self.requests += 1
        try:
            response = client.open(path, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - every crash is a finding
            db.session.rollback()
            self.found.append(f"{method} {path[:200]!r}: raised {error!r:.300}")
            return None
        if response.status_code >= 500:
            self.found.append(f"{method} {path[:200]!r}: {response.status_code}")
        return response.status_code


def _query(pairs: list[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs)


def _hostile_queries(params: list[str]) -> list[str]:
    """Return the query strings sent to a GET route that reads the given parameters."""
    url_for_names = [(name, "x") for name in URL_FOR_NAMES]
    queries = [
        _query(url_for_names),
        _query([*((name, "1") for name in params), *url_for_names]),
        _query([(name, value) for name in [*params, "x"] for value in ("1", "2")]),  # arrays
        _query([(NUL, "1"), ("ok\x00", NUL)]),  # NUL in the names
        "?" + "&".join(f"{name}=%c3%28%ff" for name in [*params, "%fe"]),  # not UTF-8
    ]
    if params:
        # Every value in every parameter at once, then each parameter alone (so one that a
        # view refuses early does not hide what it would do with another).
        queries += [_query([(name, value) for name in params]) for value in QUERY_VALUES]
        queries += [_query([(name, value)]) for name in params for value in ("-1", "9" * 25, "abc")]
    return queries


class _NotedArgs(ImmutableMultiDict):
    """Query arguments that note every name a view asks for, present or not."""

    asked: ClassVar[set[str]] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def getlist(self, key: str, type: object = None) -> list:
        self.asked.add(key)
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


def _parameters_read(app, client, path: str, monkeypatch) -> list[str]:
    """Return the names of the query parameters the page asks for."""
    with monkeypatch.context() as patch:
        patch.setattr(app.request_class, "parameter_storage_class", _NotedArgs)
        _NotedArgs.asked.clear()
        client.get(path)
        return sorted(_NotedArgs.asked)


@pytest.fixture
def walk(app, client):
    """The world, a client per visitor, and who is let in to each GET page."""
    world = site.build_world()
    clients = site.visitors(app, world)
    return world, clients, site.reachable_pages(app, world, clients)


def test_every_get_route_answers_hostile_query_strings_without_a_server_error(
    app, walk, monkeypatch
):
    world, clients, pages = walk
    unreached = {r.endpoint for r in site.rules(app, "GET")} - pages.keys()
    assert unreached == set(), "the walk reaches no visitor on these pages"
    failures = Failures()
    started = time.monotonic()
    read = {}
    for name, path in sorted(pages.values()):
        client = clients[name]
        if name != "anonymous":
            site.log_in(client, getattr(world, name))
        read[path] = _parameters_read(app, client, path, monkeypatch)
        for query in _hostile_queries(read[path]):
            failures.check(client, "GET", path + query)
    assert failures.found == [], "\n".join(failures.found)
    # The probe does see what the views read (else the walk would test little).
    assert {"efter", "tema", "maal", "status", "moede"} <= set(read["/handlinger/netvaerket"])
    print(f"{failures.requests} requests in {time.monotonic() - started:.1f} s")
    print({path: names for path, names in read.items() if names})


def test_a_nul_in_any_path_segment_answers_a_client_error(app, client):
    world = site.build_world()
    clients = site.visitors(app, world)
    failures = Failures()
    for rule in site.rules(app, "GET"):
        for argument in rule.arguments:
            path = site.url(app, rule.endpoint, world, **{argument: 987654321})
            path = path.replace("987654321", "1%00", 1)
            for client in clients.values():
                failures.check(client, "GET", path)
    # The calendar feed is read without a cookie; its token with a NUL in it, too.
    feed = site.url(app, "meetings.calendar_feed", world)
    failures.check(clients["anonymous"], "GET", feed.replace(".ics", "%00.ics"))
    assert failures.found == [], "\n".join(failures.found)


def _forms(clients: dict[str, object], pages: dict[str, tuple[str, str]]) -> list:
    """Return every POST form on every page with who sees it: (visitor, page, form)."""
    found = {}
    for name, client in clients.items():
        for _, path in sorted(pages.values()):
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in site.forms_on(response.get_data(as_text=True)):
                key = (form.action or path, frozenset(form.fields))
                found.setdefault(key, (name, path, form))
    return list(found.values())


# Forms sent last, since sending them changes what the others can reach.
LAST = ("/logout", "deaktiver", "slet", "luk", "skjul", "arkiver", "fjern", "traek-tilbage")


def _variants(form: site.Form) -> list[list[tuple[str, object]]]:
    """Return the bodies sent to a form: each field in turn hostile, the others as shown;
    then every field at once with a NUL, and with bytes that are not UTF-8."""
    bodies = []
    for name in [name for name in form.fields if name != "csrf_token"]:
        rest = [(n, v) for n, v in form.default() if n != name]
        values = TEXT_VALUES if name in form.free_text else CHOICE_VALUES
        bodies += [[*rest, (name, value)] for value in values]
        bodies.append(rest)  # missing
        offered = form.choices.get(name) or form.fields[name] or ["x"]
        bodies.append([*rest, (name, offered[-1]), (name, "x"), (name, offered[0])])  # arrays
    extra = [(key, "x") for key in URL_FOR_NAMES] + [("next", "https://evil.example/")]
    bodies.append([*form.default(), *extra])
    for value in (NUL, b"\xff\xfe\xc3\x28"):
        bodies.append([(n, value if n != "csrf_token" else v) for n, v in form.default()])
    return bodies


def test_every_form_answers_hostile_values_in_every_field_without_a_server_error(app, walk):
    world, clients, pages = walk
    forms = _forms(clients, pages)
    forms.sort(key=lambda item: any(word in item[2].action for word in LAST))
    posted = {
        app.url_map.bind("localhost").match(urlsplit(form.action or path).path, method="POST")[0]
        for _, path, form in forms
    }
    post_only = {rule.endpoint for rule in site.rules(app, "POST")}
    assert post_only - posted == set(), "no page shows a form for these routes"
    failures = Failures()
    started = time.monotonic()
    for name, path, form in forms:
        client = clients[name]
        for body in _variants(form):
            if name != "anonymous":  # again each time: a form may have ended the session
                site.log_in(client, getattr(world, name))
            failures.check(
                client,
                "POST",
                form.action or path,
                data=urlencode(body),
                content_type="application/x-www-form-urlencoded",
            )
    assert failures.found == [], "\n".join(failures.found)
    print(f"{len(forms)} forms, {failures.requests} requests in {time.monotonic() - started:.1f} s")


# --- what the person sees ------------------------------------------------------------------


def test_a_nul_in_the_login_email_is_refused_with_a_clear_message(client):
    response = client.submit("/login", {"email": "mette\x00@example.org", "password": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "tegn" in page  # "... et tegn, som ikke kan gemmes ..."


def test_a_nul_in_a_post_is_refused_in_the_readers_language(app, client, login_as, theme):
    person = factories.user(language="en")
    login_as(person)
    response = client.submit(f"/tema/{theme.id}/ny", {"title": "Hej", "body": "a\x00b"})
    assert response.status_code == 400
    assert "character" in response.get_data(as_text=True)


def test_a_nul_in_a_calendar_address_is_a_client_error(client):
    assert client.get("/kalender/abc%00def.ics").status_code == 400


def test_the_network_list_carries_only_its_own_filters_into_its_links(client, login_as, member):
    login_as(member)
    response = client.get(
        "/handlinger/netvaerket?efter=5&status=planned&endpoint=x&_anchor=evil&_external=1"
        "&_scheme=javascript&_method=POST"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # The header's language switch returns to the address asked for, as it was asked for (a
    # form value, not a link; /sprog takes only a path on this site back): it is left out.
    page = re.sub(r'name="next" value="[^"]*"', "", page)
    assert "status=planned" in page
    for leaked in ("#evil", "javascript:", "_method", "endpoint=", "http://localhost/handlinger"):
        assert leaked not in page, leaked
