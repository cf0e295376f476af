"""Every endpoint of the app has a declared answer for each kind of visitor.

A new route without an entry here fails the suite, so nobody adds a page without deciding
who may reach it. LOGIN means a redirect to the login page; OK means the visitor was let in:
the page (200), a redirect that is not to the login page, or the form back with its errors
(422, as an empty POST gets).

The visitors are anonymous, a deactivated member, a member, a facilitator, an admin, and an
outsider: a member outside the confidential circle of the thread the URL points to. Each test
builds a network thread and a circle thread (its author and one named circle member).
Everyone but the outsider is sent to the network thread; the outsider goes to the circle
thread, where every URL of the thread or its posts answers 404 (never 403: that would tell
them it exists). Pages not tied to a thread answer the outsider as they answer a member.
Facilitators and admins are also sent to the circle thread, and answer as on the network
thread unless a route says otherwise (`in_circle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from forum.extensions import db
from forum.models import Post, User
from forum.services import accounts as account_service
from forum.services import actions as action_service
from forum.services import library as library_service
from forum.services import meetings as meeting_service
from forum.services import moderation as moderation_service
from forum.services import surveys as survey_service
from forum.services import threads as thread_service
from forum.services import uploads
from forum.services.meetings import MeetingDetails
from tests import factories, samples

LOGIN = "login"
OK = "ok"
ROLES = ("anonymous", "deactivated", "member", "facilitator", "admin", "outsider")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expected: dict[str, int | str]
    # Facilitators' and admins' answers on the circle thread, where they differ.
    in_circle: dict[str, int | str] = field(default_factory=dict)

    @property
    def thread_bound(self) -> bool:
        """Return whether the URL names a thread or a post."""
        return "{thread}" in self.path or "{post}" in self.path

    def answer(self, role: str) -> int | str:
        """Return what the route answers the visitor."""
        if role in self.expected:
            return self.expected[role]
        assert role == "outsider", role
        return 404 if self.thread_bound else self.expected["member"]


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

# Placeholders are filled in from objects made for each test (see `_world`): {author} wrote
# {thread} and its first post {post}, so author-only actions answer 403 to everyone else;
# {circle_member} is the person named into the circle thread; {report} reports {post};
# {announcement} is on the home page; {invitation} invites a member (its link still works);
# {meeting} has an open survey; {question} is made anew for each visitor (deleting or moving
# it is the action).
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
    # Public (the login page has the switch too): with no page to return to, a visitor who is
    # not logged in lands on the login page.
    "auth.set_language": Route("POST", "/sprog", members_only()),
    "email.preferences": Route("GET", "/profil/email", members_only()),
    # Signed links in emails, used without logging in: a forged one is refused to everybody.
    "email.unsubscribe": Route("GET", "/afmeld/forged-token", everyone(404)),
    "members.directory": Route("GET", "/medlemmer", members_only()),
    "members.profile": Route("GET", "/medlemmer/{author}", members_only()),
    # An @mention's link: resolves the handle and redirects to the profile.
    "members.by_handle": Route("GET", "/medlemmer/@{author_handle}", members_only()),
    # Handle suggestions (JSON) while typing "@": only people the reader may see.
    "members.suggestions": Route("GET", "/medlemmer/forslag?q=f", members_only()),
    "threads.theme": Route("GET", "/tema/{theme}", members_only()),
    "threads.new_thread": Route("GET", "/tema/{theme}/ny", members_only()),
    "threads.mark_theme_read": Route("POST", "/tema/{theme}/marker-laest", members_only()),
    "threads.mark_all_read": Route("POST", "/marker-alt-laest", members_only()),
    "threads.thread": Route("GET", "/traad/{thread}", members_only()),
    "threads.reply": Route("POST", "/traad/{thread}/svar", members_only()),
    "threads.post": Route("GET", "/indlaeg/{post}", members_only()),
    # A post's text quoted for a reply (JSON, for quote.js).
    "threads.quote": Route("GET", "/indlaeg/{post}/citat", members_only()),
    "threads.edit_post": Route("GET", "/indlaeg/{post}/rediger", members_only(member=403)),
    "threads.withdraw_post": Route(
        "GET", "/indlaeg/{post}/traek-tilbage", members_only(403, 403, 403)
    ),
    "threads.revisions": Route("GET", "/indlaeg/{post}/versioner", members_only(member=403)),
    "threads.report_post": Route("GET", "/indlaeg/{post}/rapporter", members_only()),
    # Who sees a thread: its author or a facilitator.
    "threads.visibility": Route("GET", "/traad/{thread}/synlighed", FACILITATORS),
    # Opening a confidential thread to the network asks first (a network thread redirects).
    "threads.open_to_network": Route("GET", "/traad/{thread}/aabn", FACILITATORS),
    # Only circle threads have a circle to manage.
    "threads.remove_circle_member": Route(
        "GET",
        "/traad/{thread}/kreds/{circle_member}/fjern",
        members_only(403, 403, 403),
        in_circle={"facilitator": OK, "admin": OK},
    ),
    # Facilitators' tools: members who see the thread get 403, outsiders 404.
    "threads.moderate": Route("GET", "/traad/{thread}/moderer", FACILITATORS),
    "threads.rename": Route("POST", "/traad/{thread}/omdoeb", FACILITATORS),
    "threads.move": Route("POST", "/traad/{thread}/flyt", FACILITATORS),
    "threads.pin": Route("POST", "/traad/{thread}/fastgoer", FACILITATORS),
    "threads.lock": Route("POST", "/traad/{thread}/laas", FACILITATORS),
    "threads.hide_thread": Route("GET", "/traad/{thread}/skjul", FACILITATORS),
    "threads.restore_thread": Route("POST", "/traad/{thread}/gendan", FACILITATORS),
    "threads.hide_post": Route("GET", "/indlaeg/{post}/skjul", FACILITATORS),
    "threads.restore_post": Route("POST", "/indlaeg/{post}/gendan", FACILITATORS),
    "moderation.queue": Route("GET", "/moderation", FACILITATORS),
    "moderation.dismiss_report": Route(
        "POST", "/moderation/rapporter/{report}/afvis", FACILITATORS
    ),
    "moderation.my_reports": Route("GET", "/mine-rapporter", members_only()),
    "moderation.log": Route("GET", "/moderation/log", FACILITATORS),
    "moderation.new_announcement": Route("GET", "/meddelelser/ny", FACILITATORS),
    "moderation.remove_announcement": Route(
        "GET", "/meddelelser/{announcement}/fjern", FACILITATORS
    ),
    "meetings.index": Route("GET", "/moeder", members_only()),
    "meetings.new": Route("GET", "/moeder/ny", FACILITATORS),
    "meetings.edit": Route("GET", "/moeder/{meeting}/rediger", FACILITATORS),
    "meetings.meeting": Route("GET", "/moeder/{meeting}", members_only()),
    "meetings.rsvp": Route("POST", "/moeder/{meeting}/tilmelding", members_only()),
    "meetings.attendance": Route("GET", "/moeder/{meeting}/deltagere", FACILITATORS),
    "meetings.attendance_csv": Route("GET", "/moeder/{meeting}/deltagere.csv", FACILITATORS),
    # Reminding those who have not answered: facilitators only, by POST (once a day).
    "meetings.remind_unanswered": Route(
        "POST", "/moeder/{meeting}/deltagere/paamind", FACILITATORS
    ),
    "meetings.calendar_feed": Route("GET", "/kalender/forged-token.ics", everyone(404)),
    "meetings.reset_calendar": Route("POST", "/kalender/nulstil", members_only()),
    "meetings.meeting_ics": Route("GET", "/moeder/{meeting}.ics", members_only()),
    "meetings.survey_edit": Route("GET", "/moeder/{meeting}/undersoegelse", FACILITATORS),
    "meetings.survey_add_question": Route(
        "POST", "/moeder/{meeting}/undersoegelse/spoergsmaal", FACILITATORS
    ),
    "meetings.survey_delete_question": Route(
        "GET", "/undersoegelse/spoergsmaal/{question}/slet", FACILITATORS
    ),
    # Changing and reordering questions until the first answer (nobody has answered here).
    "meetings.survey_edit_question": Route(
        "GET", "/undersoegelse/spoergsmaal/{question}/rediger", FACILITATORS
    ),
    "meetings.survey_move_question": Route(
        "POST", "/undersoegelse/spoergsmaal/{question}/flyt", FACILITATORS
    ),
    "meetings.survey_close": Route("POST", "/moeder/{meeting}/undersoegelse/luk", FACILITATORS),
    "meetings.survey": Route("GET", "/moeder/{meeting}/undersoegelse/svar", members_only()),
    # Members see the totals once the survey closes; it is open here.
    "meetings.survey_results": Route(
        "GET", "/moeder/{meeting}/undersoegelse/resultater", FACILITATORS
    ),
    "meetings.survey_csv": Route(
        "GET", "/moeder/{meeting}/undersoegelse/resultater.csv", FACILITATORS
    ),
    # {commitment} is {author}'s, shared with the network: only its owner changes it.
    "actions.new": Route("GET", "/handlinger/ny", members_only()),
    "actions.mine": Route("GET", "/handlinger", members_only()),
    "actions.network": Route("GET", "/handlinger/netvaerket", members_only()),
    "actions.commitment": Route("GET", "/handlinger/{commitment}", members_only()),
    "actions.edit": Route("GET", "/handlinger/{commitment}/rediger", members_only(403, 403, 403)),
    "actions.set_status": Route(
        "POST", "/handlinger/{commitment}/status", members_only(403, 403, 403)
    ),
    "actions.log_entry": Route("GET", "/handlinger/{commitment}/log", members_only(403, 403, 403)),
    "actions.comment": Route("POST", "/handlinger/{commitment}/kommentar", members_only()),
    "actions.overview": Route("GET", "/facilitator/oversigt", FACILITATORS),
    "actions.prepare": Route("GET", "/moeder/{meeting}/forberedelse", FACILITATORS),
    "actions.prepare_csv": Route("GET", "/moeder/{meeting}/forberedelse.csv", FACILITATORS),
    # {resource} is a file {author} added to the network's library: only they and the
    # facilitators change it; the bin is the facilitators'. The PDF has no preview image.
    "library.index": Route("GET", "/ressourcer", members_only()),
    "search.results": Route("GET", "/soeg?q=energi", members_only()),
    "search.similar": Route("GET", "/soeg/lignende?titel=energi", members_only()),
    "library.new": Route("GET", "/ressourcer/ny", members_only()),
    "library.resource": Route("GET", "/ressourcer/{resource}", members_only()),
    "library.edit": Route("GET", "/ressourcer/{resource}/rediger", members_only(member=403)),
    "library.replace": Route("POST", "/ressourcer/{resource}/erstat", members_only(member=403)),
    "library.remove": Route("GET", "/ressourcer/{resource}/fjern", members_only(member=403)),
    "library.bin": Route("GET", "/ressourcer/papirkurv", FACILITATORS),
    "library.restore": Route("POST", "/ressourcer/{resource}/gendan", FACILITATORS),
    "library.download": Route("GET", "/ressourcer/{resource}/fil", members_only()),
    "library.download_version": Route(
        "GET", "/ressourcer/{resource}/fil/{resource_version}", members_only()
    ),
    "library.preview": Route(
        "GET", "/ressourcer/{resource}/forhaandsvisning", members_only(404, 404, 404)
    ),
    "notifications.index": Route("GET", "/varsler", members_only()),
    # Nobody opens or marks someone else's notification: 404 as for one that doesn't exist.
    "notifications.open_notification": Route("GET", "/varsler/999999", members_only(404, 404, 404)),
    "notifications.mark_read": Route("POST", "/varsler/999999/laest", members_only(404, 404, 404)),
    "notifications.mark_all_read": Route("POST", "/varsler/laest", members_only()),
    "notifications.watch_thread": Route("POST", "/foelg/traad/{thread}", members_only()),
    "notifications.watch_theme": Route("POST", "/foelg/tema/{theme}", members_only()),
    "admin.invitations": Route("GET", "/invitationer", FACILITATORS),
    "admin.resend_invitation": Route("POST", "/invitationer/{invitation}/send-igen", FACILITATORS),
    "admin.revoke_invitation": Route("GET", "/invitationer/{invitation}/tilbagekald", FACILITATORS),
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


def test_thread_and_post_urls_are_the_thread_bound_ones(app):
    """Every route whose URL takes a thread or post id is checked against the circle thread."""
    for endpoint, route in ROUTES.items():
        rules = app.url_map.iter_rules(endpoint)
        names = set().union(*(rule.arguments for rule in rules))
        assert route.thread_bound == bool(names & {"thread_id", "post_id"}), endpoint


def _log_in(client, person: User) -> None:
    """Start a session for the person as the login form does (it is tested in test_auth);
    skipping the form keeps the slow password hash out of this many-times-repeated test."""
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True


def _visitors(app) -> dict[str, object]:
    """Return a client per visitor. The member is named in no circle, so the same client
    serves as the outsider of the circle thread."""
    visitors = {"anonymous": app.test_client()}
    for role in ("deactivated", "member", "facilitator", "admin"):
        person = factories.user(role="member" if role == "deactivated" else role)
        visitors[role] = app.test_client()
        _log_in(visitors[role], person)
        if role == "deactivated":
            account_service.deactivate(factories.user(role="admin"), person)
    visitors["outsider"] = visitors["member"]
    return visitors


def _first_post_id(thread) -> int:
    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread.id, Post.position == 1)
    )


def _world() -> tuple[dict[str, int], dict[str, int]]:
    """Make the objects the paths name; return the placeholders for the network thread and
    for the circle thread."""
    author = factories.user(name="Forfatter")
    circle_member = factories.user(name="Kredsmedlem")
    facilitator = factories.user(name="Ordstyrer", role="facilitator")
    theme = factories.theme()
    network = factories.thread(author, theme)
    circle = thread_service.create_thread(
        author, theme, "Kredstråd", "Fortroligt", visibility="circle", circle_ids=[circle_member.id]
    )
    report = moderation_service.report_post(
        circle_member, db.session.get(Post, _first_post_id(network)), "Forkert tema"
    )
    announcement = moderation_service.post_announcement(facilitator, "Nyt", "Møde i maj")
    meeting = meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Netværksmøde", date=date.today() + timedelta(days=30))
    )
    survey = survey_service.save_survey(facilitator, meeting, "Behov")
    survey_service.add_question(facilitator, survey, "text", "Hvorfor?")
    survey_service.open_survey(facilitator, survey)
    invitation = account_service.invite(facilitator, "ny@example.org", "Ny Person", "member")
    commitment = action_service.create_commitment(
        author, title="Affaldssortering", why="", theme=theme, sdgs=[], meeting=None, due_date=None
    )
    resource = library_service.add_file(
        author,
        library_service.ResourceDetails(title="Tjekliste", themes=[theme]),
        uploads.check_upload("tjekliste.pdf", samples.pdf()),
    )
    values = {
        "resource": resource.id,
        "resource_version": resource.versions[0].id,
        "theme": theme.id,
        "author": author.id,
        "author_handle": author.handle,
        "circle_member": circle_member.id,
        "report": report.id,
        "announcement": announcement.id,
        "meeting": meeting.id,
        "question": lambda: survey_service.add_question(facilitator, survey, "text", "Hvad?").id,
        "commitment": commitment.id,
        "invitation": invitation.id,
    }
    on_network = dict(values, thread=network.id, post=_first_post_id(network))
    on_circle = dict(values, thread=circle.id, post=_first_post_id(circle))
    return on_network, on_circle


def _fill(path: str, values: dict) -> str:
    """Return the path with its placeholders filled in; callables make a fresh object."""
    used = {name: value for name, value in values.items() if f"{{{name}}}" in path}
    return path.format(**{name: v() if callable(v) else v for name, v in used.items()})


def _check(visitor, route: Route, path: str, expected: int | str, who: str) -> None:
    if route.method == "POST":
        token = visitor.csrf_token()
        response = visitor.post(path, data={"csrf_token": token})
    else:
        response = visitor.get(path)
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302, (who, path, response.status_code)
        assert "/login" in location, (who, path, location)
    elif expected == OK:
        assert response.status_code in (200, 302, 303, 422), (who, path, response.status_code)
        assert "/login" not in location, (who, path, location)
    else:
        assert response.status_code == expected, (who, path, response.status_code)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_endpoint_answers_each_visitor_as_declared(endpoint, app, client):
    route = ROUTES[endpoint]
    on_network, on_circle = _world()
    visitors = _visitors(app)
    # The outsider goes first: "member" may be the logout route, and they share a client.
    for role in ("outsider", *(role for role in ROLES if role != "outsider")):
        path = _fill(route.path, on_circle if role == "outsider" else on_network)
        _check(visitors[role], route, path, route.answer(role), role)
    if route.thread_bound:
        for role in ("facilitator", "admin"):
            expected = route.in_circle.get(role, route.answer(role))
            path = _fill(route.path, on_circle)
            _check(visitors[role], route, path, expected, f"{role} in the circle thread")
