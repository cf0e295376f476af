"""Every endpoint of the app has a declared answer for each kind of visitor.

A new route without an entry here fails the suite, so nobody adds a page without deciding
who may reach it. LOGIN means a redirect to the login page; OK means the visitor was let in:
the page (200), a redirect that is not to the login page, or the form back with its errors
(422, as an empty POST gets).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forum.services import accounts as account_service
from tests import factories

LOGIN = "login"
OK = "ok"
ROLES = ("anonymous", "deactivated", "member", "facilitator", "admin")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expected: dict[str, int | str]


def everyone(answer: int | str) -> dict[str, int | str]:
    return dict.fromkeys(ROLES, answer)


def members_only(member: int | str = OK, facilitator: int | str = OK, admin: int | str = OK):
    return {
        "anonymous": LOGIN,
        "deactivated": LOGIN,
        "member": member,
        "facilitator": facilitator,
        "admin": admin,
    }


FACILITATORS = members_only(member=403)
ADMINS = members_only(member=403, facilitator=403)
PUBLIC_FORM = {"anonymous": 200, "deactivated": 200, "member": OK, "facilitator": OK, "admin": OK}

# {theme}, {thread}, {post}, {author} are filled in from objects made for each test; {author}'s
# post is not the visitor's own, so author-only actions answer 403 to everyone else.
ROUTES: dict[str, Route] = {
    "static": Route("GET", "/static/css/forum.css", everyone(200)),
    "core.healthz": Route("GET", "/healthz", everyone(200)),
    "core.home": Route("GET", "/", members_only()),
    "auth.login": Route("GET", "/login", PUBLIC_FORM),
    "auth.logout": Route("POST", "/logout", everyone(LOGIN)),
    "auth.accept_invitation": Route("GET", "/invitation/forged-token", everyone(404)),
    "auth.forgot_password": Route("GET", "/glemt-adgangskode", PUBLIC_FORM),
    "auth.reset_password": Route("GET", "/nulstil-adgangskode/forged-token", everyone(404)),
    "auth.profile": Route("GET", "/profil", members_only()),
    "auth.change_password": Route("GET", "/profil/adgangskode", members_only()),
    "auth.set_language": Route("POST", "/sprog", members_only()),
    "members.directory": Route("GET", "/medlemmer", members_only()),
    "members.profile": Route("GET", "/medlemmer/{author}", members_only()),
    "threads.theme": Route("GET", "/tema/{theme}", members_only()),
    "threads.new_thread": Route("GET", "/tema/{theme}/ny", members_only()),
    "threads.thread": Route("GET", "/traad/{thread}", members_only()),
    "threads.reply": Route("POST", "/traad/{thread}/svar", members_only()),
    "threads.post": Route("GET", "/indlaeg/{post}", members_only()),
    "threads.edit_post": Route("GET", "/indlaeg/{post}/rediger", members_only(member=403)),
    "threads.withdraw_post": Route(
        "GET", "/indlaeg/{post}/traek-tilbage", members_only(403, 403, 403)
    ),
    "threads.revisions": Route("GET", "/indlaeg/{post}/versioner", members_only(member=403)),
    "admin.invitations": Route("GET", "/invitationer", FACILITATORS),
    "admin.accounts": Route("GET", "/admin/brugere", ADMINS),
    "admin.account": Route("GET", "/admin/brugere/{author}", ADMINS),
    "admin.change_role": Route("POST", "/admin/brugere/{author}/rolle", ADMINS),
    "admin.deactivate": Route("GET", "/admin/brugere/{author}/deaktiver", ADMINS),
    "admin.reactivate": Route("POST", "/admin/brugere/{author}/genaktiver", ADMINS),
    "admin.themes": Route("GET", "/admin/temaer", ADMINS),
    "admin.edit_theme": Route("GET", "/admin/temaer/{theme}", ADMINS),
    "admin.move_theme": Route("POST", "/admin/temaer/{theme}/flyt", ADMINS),
    "admin.archive_theme": Route("GET", "/admin/temaer/{theme}/arkiver", ADMINS),
    "admin.restore_theme": Route("POST", "/admin/temaer/{theme}/genopret", ADMINS),
}


def test_every_endpoint_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ROUTES.keys() == set(), "declare the new endpoints in ROUTES"
    assert ROUTES.keys() - endpoints == set(), "ROUTES names endpoints that no longer exist"


def _visitor(role: str, app):
    """Return a fresh client logged in as a new person of the role (or anonymous)."""
    client = app.test_client()
    if role == "anonymous":
        return client
    person = factories.user(role="member" if role == "deactivated" else role)
    response = client.submit("/login", {"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    if role == "deactivated":
        account_service.deactivate(factories.user(role="admin"), person)
    return client


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_endpoint_answers_each_visitor_as_declared(endpoint, app, client):
    route = ROUTES[endpoint]
    author = factories.user(name="Forfatter")
    theme = factories.theme()
    thread = factories.thread(author, theme)
    path = route.path.format(
        theme=theme.id, thread=thread.id, post=thread_first_post_id(thread), author=author.id
    )
    for role in ROLES:
        visitor = _visitor(role, app)
        if route.method == "POST":
            token = visitor.csrf_token()
            response = visitor.post(path, data={"csrf_token": token})
        else:
            response = visitor.get(path)
        expected = route.expected[role]
        location = response.headers.get("Location", "")
        if expected == LOGIN:
            assert response.status_code == 302, (role, response.status_code)
            assert "/login" in location, (role, location)
        elif expected == OK:
            assert response.status_code in (200, 302, 303, 422), (role, response.status_code)
            assert "/login" not in location, (role, location)
        else:
            assert response.status_code == expected, (role, response.status_code)


def thread_first_post_id(thread) -> int:
    from forum.extensions import db
    from forum.models import Post

    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread.id, Post.position == 1)
    )
