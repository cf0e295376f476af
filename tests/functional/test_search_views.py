"""The search pages as a member uses them: the box on every page, results, filters, tips,
friendly messages for odd queries, and a constant number of queries."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import event

from forum.extensions import db
from forum.services import threads as thread_service
from tests import factories


@pytest.fixture
def forum(db_session):
    anne = factories.user("Anne Berg", library="Vejle Bibliotekerne", region="syddanmark")
    bo = factories.user("Bo Dahl")
    theme = factories.theme("Energi")
    thread = factories.thread(
        anne, theme, "Ventilation om natten", "Energiforbruget på biblioteket faldt 20 %."
    )
    return anne, bo, theme, thread


def test_every_page_has_the_search_box(client, login_as, forum):
    _anne, bo, _theme, _thread = forum
    login_as(bo)
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page
    assert 'action="/soeg"' in page


def test_results_highlight_the_words_and_keep_the_query(client, login_as, forum):
    _anne, bo, _theme, thread = forum
    login_as(bo)
    response = client.get("/soeg?q=bibliotekets+energiforbrug")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/traad/{thread.id}"' in page
    assert "<mark>Energiforbruget</mark> på <mark>biblioteket</mark>" in page
    assert 'value="bibliotekets energiforbrug"' in page  # in the page's box and the header's
    assert "1 resultat" in page


def test_an_empty_query_shows_tips(client, login_as, forum):
    login_as(forum[1])
    page = client.get("/soeg").get_data(as_text=True)
    assert "Sådan søger du" in page
    assert "solcelle*" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("og i det", "for almindelige"),
        ("-kompost", "mindst ét ord"),
        ("😀 ***", "ingen ord at søge efter"),
    ],
)
def test_queries_without_words_get_a_friendly_message(client, login_as, forum, typed, message):
    login_as(forum[1])
    response = client.get("/soeg", query_string={"q": typed})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed",
    ['"unbalanced', "NEAR(a b)", "a OR", "^x :y", "' OR 1=1 --", "x" * 1000, "energi\x00", "*"],
)
def test_odd_queries_never_fail(client, login_as, forum, typed):
    login_as(forum[1])
    response = client.get("/soeg", query_string={"q": typed})
    assert response.status_code in (200, 400)  # NUL is refused before any view, as everywhere


def test_a_refused_filter_says_so_and_still_searches(client, login_as, forum):
    login_as(forum[1])
    response = client.get("/soeg?q=energiforbrug&tema=999&fra=igaar")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vælg en af mulighederne" in page
    assert "Ventilation om natten" in page


def test_kind_tabs_count_and_filter(client, login_as, forum):
    anne, bo, theme, thread = forum
    factories.file_resource(anne, title="Energiforbrug i tal")
    login_as(bo)
    page = client.get("/soeg?q=energiforbrug").get_data(as_text=True)
    assert 'Alt <span class="count">(2)</span>' in page
    only = client.get("/soeg?q=energiforbrug&type=ressourcer").get_data(as_text=True)
    assert "<mark>Energiforbrug</mark> i tal" in only
    assert "Ventilation om natten" not in only


def test_colleagues_panel_names_the_member_and_commitment(client, login_as, forum):
    from tests.functional.test_search_confidentiality import make_commitment

    anne, bo, theme, _thread = forum
    commitment = make_commitment(anne, theme, "Sluk ventilationen om natten", status="done")
    login_as(bo)
    page = client.get("/soeg?q=ventilation").get_data(as_text=True)
    assert "Kolleger der har arbejdet med det" in page
    assert f'href="/medlemmer/{anne.id}"' in page
    assert "Vejle Bibliotekerne, Region Syddanmark" in page
    assert f'href="/handlinger/{commitment.id}"' in page
    assert "gennemført" in page


def test_outsiders_see_no_trace_of_a_circle_thread(client, login_as, forum):
    anne, bo, theme, _thread = forum
    named = factories.user("Cai")
    thread_service.create_thread(
        anne, theme, "Budgetkrise", "Fortroligt om personalesager", "circle", [named.id]
    )
    db.session.commit()
    login_as(bo)
    page = client.get("/soeg?q=personalesager").get_data(as_text=True)
    results = page[page.index('class="search-layout"') :]
    assert "Budgetkrise" not in results
    assert "personalesager" not in results.lower().replace("q=personalesager", "")
    assert "0 resultater" in results
    assert "(1)" not in results
    assert client.get("/soeg/lignende?titel=budgetkrise").get_json() == []


def test_the_results_page_runs_the_same_number_of_queries_whatever_the_data(
    app, client, login_as, forum
):
    from tests.functional.test_search_confidentiality import make_commitment

    anne, bo, theme, _thread = forum
    make_commitment(anne, theme, "Energi i kælderen")  # a colleague: their profiles are loaded
    login_as(bo)

    def queries_for(url):
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    before = queries_for("/soeg?q=energi*")
    for n in range(25):
        thread = factories.thread(anne, theme, f"Energi {n}", "Energiforbruget")
        factories.reply(bo, thread, "Mere om energi")
    for n in range(6):
        make_commitment(factories.user(f"P{n}"), theme, f"Energi {n}")
    assert queries_for("/soeg?q=energi*") == before


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_searches_are_not_logged_with_their_text(app):
    """The development server's and gunicorn's request lines lose the query string."""
    lines = Lines()
    loggers = [logging.getLogger(name) for name in ("werkzeug", "gunicorn.access")]
    for logger in loggers:
        logger.addHandler(lines)
        logger.setLevel(logging.INFO)
        logger.disabled = False  # the migrations' logging config turns existing loggers off
    try:
        loggers[0].info('%s "%s" %s', "127.0.0.1", "GET /soeg?q=hemmeligt+ord HTTP/1.1", "200")
        loggers[1].info('"GET /soeg/lignende?titel=budgetkrise HTTP/1.1" 200')
        # gunicorn's own access-log format: atoms by name, the query string on its own.
        loggers[1].info(
            '"%(r)s" %(s)s "%(f)s" %(q)s',
            {
                "r": "GET /soeg?q=loenforhandling HTTP/1.1",
                "s": "200",
                "f": "https://forum.example.dk/soeg?q=loenforhandling&side=2",
                "U": "/soeg",
                "q": "q=loenforhandling",
            },
        )
        loggers[0].info('"%s" 200', "GET /ressourcer?tema=3 HTTP/1.1")
    finally:
        for logger in loggers:
            logger.removeHandler(lines)
    text = "\n".join(lines.lines)
    assert "hemmeligt" not in text
    assert "budgetkrise" not in text
    assert "loenforhandling" not in text
    assert '"GET /soeg?… HTTP/1.1"' in text
    assert "/ressourcer?tema=3" in text  # other addresses are logged as they were


def test_similar_titles_while_typing(client, login_as, forum):
    _anne, bo, _theme, thread = forum
    login_as(bo)
    found = client.get("/soeg/lignende?titel=Hvordan+sl%C3%A6kker+vi+ventilationen").get_json()
    assert found == [{"title": "Ventilation om natten", "url": f"/traad/{thread.id}", "posts": 1}]


def test_starting_a_thread_first_shows_threads_with_similar_titles(client, login_as, forum):
    _anne, bo, theme, thread = forum
    login_as(bo)
    data = {
        "title": "Hvordan slukker vi ventilationen?",
        "body": "Mit spørgsmål",
        "visibility": "network",
    }
    first = client.submit(f"/tema/{theme.id}/ny", data)
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Tråde med en lignende titel" in page
    assert f'href="/traad/{thread.id}"' in page
    assert "Mit spørgsmål" in page  # nothing typed is lost
    assert 'name="seen_similar" type="hidden" value="1"' in page
    second = client.submit(f"/tema/{theme.id}/ny", {**data, "seen_similar": "1"})
    assert second.status_code == 302


def test_a_thread_without_similar_titles_is_posted_at_once(client, login_as, forum):
    _anne, bo, theme, _thread = forum
    login_as(bo)
    data = {
        "title": "Kaffe til netværksmødet",
        "body": "Hvem tager kage med?",
        "visibility": "network",
    }
    assert client.submit(f"/tema/{theme.id}/ny", data).status_code == 302


def test_similar_titles_never_show_a_circle_thread_to_an_outsider(client, login_as, forum):
    anne, bo, theme, _thread = forum
    thread_service.create_thread(anne, theme, "Budgetkrise i kommunen", "x", "circle", [])
    db.session.commit()
    login_as(bo)
    data = {"title": "Budgetkrise", "body": "Hjælp", "visibility": "network"}
    assert client.submit(f"/tema/{theme.id}/ny", data).status_code == 302


@pytest.mark.parametrize("dates", ["til=9999-12-31", "fra=0001-01-01", "fra=1999-12-31"])
def test_implausible_dates_are_refused_with_a_message(client, login_as, forum, dates):
    login_as(forum[1])
    response = client.get(f"/soeg?q=energiforbrug&{dates}")
    assert response.status_code == 422
    assert "Vælg en dato mellem 2000 og 2100" in response.get_data(as_text=True)
