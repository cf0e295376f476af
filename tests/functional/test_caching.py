"""Private pages aren't cached: on a shared library PC, the browser's cache (or a proxy's)
must not keep what a logged-in person saw, for the next person to find with Back."""

from __future__ import annotations

import pytest

from tests import factories, site

NO_STORE = "private, no-store"


def _no_store(response) -> bool:
    """Return whether the response forbids every cache to keep it."""
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.fixture
def world(app, client):
    return site.build_world()


def test_every_page_a_logged_in_person_gets_is_kept_by_no_cache(app, world):
    """Pages, permalinks (redirects), CSV exports and .ics files, for each visitor they let in."""
    clients = site.visitors(app, world)
    pages = site.reachable_pages(app, world, clients)
    kinds = set()
    cached = []
    for name, path in pages.values():
        if name == "anonymous" or path.startswith("/static/"):
            continue
        response = clients[name].get(path)
        kinds.add((response.status_code, response.mimetype))
        if not _no_store(response):
            cached.append(f"{path}: {response.headers.get('Cache-Control')!r}")
    assert cached == [], "\n".join(cached)
    # The walk did see each kind the finding names.
    assert {(200, "text/html"), (200, "text/csv"), (200, "text/calendar")} <= kinds
    assert any(status == 302 for status, _ in kinds)


def test_error_pages_and_redirects_after_a_form_are_kept_by_no_cache(app, world):
    clients = site.visitors(app, world)
    admin, author = clients["admin"], clients["author"]
    responses = {
        "404": admin.get("/findes-ikke"),
        "404 of a missing thread": admin.get("/traad/987654321"),
        "403": author.get("/facilitator/oversigt"),
        "405": author.get("/logout"),
        "400 (a NUL)": author.get("/handlinger/netvaerket?tema=%00"),
        "400 (no form token)": author.post("/sprog", data={"language": "en"}),
        "422": author.submit(f"/tema/{world.values['theme_id']}/ny", {"title": "", "body": ""}),
        "302 after a form": author.submit("/sprog", {"language": "en"}),
        "the private calendar, opened while logged in": author.get(
            site.url(app, "meetings.calendar_feed", world)
        ),
    }
    cached = [
        f"{what}: {r.status_code} {r.headers.get('Cache-Control')!r}"
        for what, r in responses.items()
        if not _no_store(r)
    ]
    assert cached == [], "\n".join(cached)
    assert responses["422"].status_code == 422
    assert responses["302 after a form"].status_code == 302


def test_the_answer_to_a_login_is_kept_by_no_cache(client, member):
    response = client.submit("/login", {"email": member.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert _no_store(response)


def test_static_files_stay_cacheable(app, world):
    admin = site.visitors(app, world)["admin"]
    response = admin.get("/static/css/forum.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
