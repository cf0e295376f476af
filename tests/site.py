"""A small world of real objects, every route's URL filled in with their ids, and the forms
its pages show, for tests that walk the whole site (hostile input, cache headers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from forum.extensions import db
from forum.models import Invitation, Notification, PasswordResetToken, Post, User, utcnow
from forum.services import accounts as account_service
from forum.services import actions as action_service
from forum.services import calendar as calendar_service
from forum.services import library as library_service
from forum.services import meetings as meeting_service
from forum.services import moderation as moderation_service
from forum.services import surveys as survey_service
from forum.services import themes as theme_service
from forum.services import threads as thread_service
from forum.services import uploads
from forum.services.meetings import MeetingDetails
from forum.services.unsubscribe import make_token
from tests import factories, samples

INVITATION_TOKEN = "invitation-token-for-the-walk"
RESET_TOKEN = "reset-token-for-the-walk"


@dataclass
class World:
    """The people and the ids the site's URLs are filled in with."""

    author: User  # a member who owns the thread, the commitment and the calendar
    facilitator: User
    admin: User
    values: dict[str, object]  # URL argument name -> value
    by_endpoint: dict[str, dict[str, object]] = field(default_factory=dict)
    # More pages to visit: (endpoint, values), objects in the states that show other forms.
    more_pages: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def _first_post_id(thread_id: int) -> int:
    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread_id, Post.position == 1)
    )


def build_world() -> World:
    """Make one of each kind of object a URL names, in the states that show each form."""
    author = factories.user(name="Forfatter")
    circle_member = factories.user(name="Kredsmedlem")
    target = factories.user(name="Mål for administratoren")
    facilitator = factories.user(name="Ordstyrer", role="facilitator")
    admin = factories.user(name="Administrator", role="admin")
    theme = factories.theme()
    network = factories.thread(author, theme)
    factories.reply(circle_member, network, "Et svar")
    moderation_service.hide_post(
        facilitator, factories.reply(circle_member, network, "Skjult svar"), "Spam"
    )
    circle = thread_service.create_thread(
        author, theme, "Kredstråd", "Fortroligt", visibility="circle", circle_ids=[circle_member.id]
    )
    post_id = _first_post_id(network.id)
    report = moderation_service.report_post(
        circle_member, db.session.get(Post, post_id), "Forkert tema"
    )
    announcement = moderation_service.post_announcement(facilitator, "Nyt", "Møde i maj")
    meeting = meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Netværksmøde", date=date.today() + timedelta(days=30))
    )
    survey = survey_service.save_survey(facilitator, meeting, "Behov")
    questions = [
        survey_service.add_question(facilitator, survey, "text", "Hvad?"),
        survey_service.add_question(
            facilitator, survey, "single", "Hvilken?", "Den ene\nDen anden"
        ),
        survey_service.add_question(facilitator, survey, "multiple", "Hvilke?", "A\nB\nC"),
        survey_service.add_question(facilitator, survey, "scale", "Hvor meget?"),
    ]
    survey_service.open_survey(facilitator, survey)
    commitment = action_service.create_commitment(
        author,
        title="Affaldssortering",
        why="Fordi",
        theme=theme,
        sdgs=[12],
        meeting=meeting,
        due_date=None,
    )
    action_service.log_progress(author, commitment, tried="Skilte", learned="Det virker")
    resource = library_service.add_file(
        author,
        library_service.ResourceDetails(title="Tjekliste", themes=[theme], sdgs=[12]),
        uploads.check_upload("tjekliste.pdf", samples.pdf()),
    )
    image = library_service.add_file(
        author,
        library_service.ResourceDetails(title="Billede", themes=[theme]),
        uploads.check_upload("billede.png", samples.image("PNG")),
    )
    library_service.add_link(
        author,
        library_service.ResourceDetails(title="Link", themes=[theme], meeting=meeting),
        "https://example.org",
    )
    # Objects in the states that show the restore forms.
    removed = library_service.add_link(
        author, library_service.ResourceDetails(title="Fjernet", themes=[theme]), "https://x.dk"
    )
    library_service.remove_resource(facilitator, removed)
    hidden = factories.thread(author, theme, "Skjult tråd")
    moderation_service.hide_thread(facilitator, hidden, "Spam")
    archived = factories.theme()
    theme_service.set_archived(archived, True)
    deactivated = factories.user(name="Deaktiveret")
    account_service.deactivate(admin, deactivated)
    # Tokens for the pages reached by a link.
    calendar_token = calendar_service.ensure_token(author)
    invitation = Invitation(
        email="ny@example.org",
        name="Ny Person",
        role="member",
        token_hash=account_service._hash_token(INVITATION_TOKEN),
        invited_by_id=facilitator.id,
        expires_at=utcnow() + timedelta(days=14),
    )
    db.session.add(invitation)
    db.session.add(
        PasswordResetToken(
            user_id=target.id,
            token_hash=account_service._hash_token(RESET_TOKEN),
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.commit()
    return World(
        author=author,
        facilitator=facilitator,
        admin=admin,
        values={
            "theme_id": theme.id,
            "thread_id": network.id,
            "post_id": post_id,
            "member_id": author.id,
            "handle": author.handle,
            "user_id": target.id,
            "report_id": report.id,
            "announcement_id": announcement.id,
            "meeting_id": meeting.id,
            "question_id": questions[0].id,
            "commitment_id": commitment.id,
            "resource_id": resource.id,
            "version_id": resource.versions[0].id,
            "invitation_id": invitation.id,
            # The report answered when the facilitator hid the reply made one for its reporter.
            "notification_id": db.session.scalar(select(func.min(Notification.id))),
            "filename": "css/forum.css",
        },
        by_endpoint={
            "threads.remove_circle_member": {"thread_id": circle.id, "user_id": circle_member.id},
            "threads.open_to_network": {"thread_id": circle.id},
            "threads.restore_thread": {"thread_id": hidden.id},
            "library.preview": {"resource_id": image.id},
            "library.restore": {"resource_id": removed.id},
            "admin.restore_theme": {"theme_id": archived.id},
            "admin.reactivate": {"user_id": deactivated.id},
            "auth.accept_invitation": {"token": INVITATION_TOKEN},
            "auth.reset_password": {"token": RESET_TOKEN},
            "meetings.calendar_feed": {"token": calendar_token},
            "email.unsubscribe": {"token": make_token(author.id, "replies")},
        },
        more_pages=[
            ("threads.thread", {"thread_id": hidden.id}),
            ("admin.account", {"user_id": deactivated.id}),
            ("library.resource", {"resource_id": removed.id}),
        ],
    )


def url(app: Flask, endpoint: str, world: World, **override: object) -> str:
    """Return the endpoint's path filled in with the world's ids (and any overrides)."""
    rule = next(app.url_map.iter_rules(endpoint))
    values = {name: world.values.get(name) for name in rule.arguments}
    values.update(world.by_endpoint.get(endpoint, {}))
    values.update(override)
    return app.url_map.bind("localhost").build(endpoint, values)


def rules(app: Flask, method: str) -> Iterator[Rule]:
    """Yield every rule that answers the method, sorted by endpoint."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if method in (rule.methods or ()):
            yield rule


def log_in(client: FlaskClient, person: User) -> None:
    """Start a session for the person as the login form does (tested in test_auth); skipping
    the form keeps the slow password hash out of tests that log in many times."""
    db.session.refresh(person)
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True


def visitors(app: Flask, world: World) -> dict[str, FlaskClient]:
    """Return a logged-in client for the admin and the author, and an anonymous one, in the
    order pages are tried: the admin reaches the most, the author their own objects."""
    clients = {"admin": app.test_client(), "author": app.test_client()}
    log_in(clients["admin"], world.admin)
    log_in(clients["author"], world.author)
    clients["anonymous"] = app.test_client()
    return clients


def _first_let_in(clients: dict[str, FlaskClient], path: str) -> str | None:
    """Return the first visitor the page lets in, or None when it lets nobody in."""
    for name, client in clients.items():
        response = client.get(path)
        if response.status_code == 200:
            return name
        if response.status_code == 302 and "/login" not in (response.location or ""):
            return name  # a permalink
    return None


def reachable_pages(
    app: Flask, world: World, clients: dict[str, FlaskClient]
) -> dict[str, tuple[str, str]]:
    """Return, for every GET endpoint (and the world's extra pages), who is let in and the
    path; an endpoint that lets nobody in is left out."""
    pages = {}
    wanted = [(rule.endpoint, {}) for rule in rules(app, "GET")] + world.more_pages
    for endpoint, values in wanted:
        path = url(app, endpoint, world, **values)
        name = _first_let_in(clients, path)
        if name:
            pages[endpoint if not values else f"{endpoint} {path}"] = (name, path)
    return pages


# --- forms -----------------------------------------------------------------------------


@dataclass
class Form:
    """A form as a browser sees it: where it posts, and the fields with what they would send."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    free_text: set[str] = field(default_factory=set)  # text boxes, as opposed to choices

    def default(self) -> list[tuple[str, str]]:
        """Return what submitting the form untouched would send."""
        return [(name, value) for name, values in self.fields.items() for value in values]


TEXT_INPUTS = frozenset({"text", "email", "password", "search", "url", "tel"})


class _FormParser(HTMLParser):
    """Collect the POST forms of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form" and attr.get("method", "get").lower() == "post":
            self._form = Form(action=attr.get("action", ""))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "text").lower()
            self._form.fields.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                self._form.choices.setdefault(name, []).append(attr.get("value", "on"))
                if "checked" in attr:
                    self._form.fields[name].append(attr.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "file"):
                self._form.fields[name].append(attr.get("value", ""))
                if kind in TEXT_INPUTS:
                    self._form.free_text.add(name)
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.free_text.add(name)
            self._form.fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self._form.fields.setdefault(name, [])
            self._form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attr.get("value", "")
            self._form.choices[self._select].append(value)
            if "selected" in attr or not self._form.fields[self._select]:
                self._form.fields[self._select] = [value]

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page: str) -> list[Form]:
    """Return the POST forms of an HTML page."""
    parser = _FormParser()
    parser.feed(page)
    return parser.forms
