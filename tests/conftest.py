"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a test client that logs in through the real form, factories and a real SMTP mailbox."""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.extensions import db
from tests import factories

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- database ----------------------------------------------------------------------------


def postgres_database(base_url: str) -> Iterator[str]:
    """Create a database of the run's own on the PostgreSQL server, and drop it afterwards."""
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the URL of an empty database for this test run."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        yield from postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'forum.db'}"


# --- mail --------------------------------------------------------------------------------


class Mailbox:
    """Emails received by the test SMTP server.

    Requests only queue emails; the worker sends them. So that a test reads like what a
    person sees ("submit the form, the email arrives"), `wait_for` first runs the worker's
    delivery, as `flask worker` would, for every app that registered itself (`deliver_for`),
    each in an app context (and so a database session) of its own.
    """

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.apps: list[Flask] = []

    def deliver_for(self, app: Flask) -> None:
        """Have `wait_for` deliver the emails that this app queued."""
        if app not in self.apps:
            self.apps.append(app)

    def deliver(self) -> None:
        """Run one delivery pass of the worker (no timed jobs) for every registered app."""
        from forum import worker

        for app in self.apps:
            with app.app_context():
                try:
                    worker.deliver_due()
                finally:
                    db.session.remove()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        self.messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        """Deliver what is queued, wait until at least `count` messages arrived, return them."""
        deadline = time.monotonic() + timeout
        self.deliver()
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
            self.deliver()  # a browser's request may have committed meanwhile
        return list(self.messages)

    def by_message_id(self) -> dict[str, int]:
        """Return how many times each Message-ID arrived."""
        counts: dict[str, int] = {}
        for message in self.messages:
            counts[str(message["Message-ID"])] = counts.get(str(message["Message-ID"]), 0) + 1
        return counts

    @staticmethod
    def part(message: Message, subtype: str) -> str:
        """Return the text of the message's plain or html part."""
        body = message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no {subtype} part"
        return str(body.get_content())

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: Message) -> str:
        """Return the plain-text body."""
        return Mailbox.part(message, "plain")

    def links(self, message: Message) -> list[str]:
        return re.findall(r"https?://\S+", self.body(message))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """Run a real SMTP server (aiosmtpd) on a free local port for the whole run."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    """The SMTP mailbox, emptied for this test.

    What another app queued earlier (the browser journeys' server shares the mailbox) is
    delivered first and thrown away, so it never turns up in this test's messages.
    """
    box, _ = smtp_server
    box.deliver()
    box.clear()
    return box


# --- app ---------------------------------------------------------------------------------


def make_test_app(database_url: str, smtp_port: int, instance: Path) -> Flask:
    """Create the app configured for tests and migrate its database."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_SENDER": "Netværksforum <forum@example.org>",
            "SERVER_NAME": None,
            "FORUM_BASE_URL": "http://localhost",  # the test client's host, so links work
        }
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def app(
    database_url: str, smtp_server: tuple[Mailbox, int], tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    """The app, its schema built by the migrations once per run."""
    mailbox, port = smtp_server
    app = make_test_app(database_url, port, tmp_path_factory.mktemp("instance"))
    mailbox.deliver_for(app)
    return app


def _empty_all_tables() -> None:
    """Delete every row, children first, so each test starts from an empty database."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def db_session(app: Flask, mailbox: Mailbox) -> Iterator[object]:
    """An app context on an empty database; the session is the one the app uses."""
    with app.app_context():
        _empty_all_tables()
        yield db.session
        db.session.rollback()
        db.session.remove()


class FormClient(FlaskClient):
    """A test client that fills in the CSRF token the way a browser sends the form."""

    def csrf_token(self) -> str:
        for path in ("/profil", "/login"):
            page = self.get(path).get_data(as_text=True)
            match = TOKEN_RE.search(page)
            if match:
                return match.group(1)
        raise AssertionError("no form with a CSRF token found")

    def submit(self, url: str, data: dict | None = None, **kwargs: object) -> object:
        """POST a form with a valid CSRF token."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def _fresh_g(sender: Flask, **extra: object) -> None:
    """Empty `g` at each request: tests hold an app context open, and requests reuse it,
    so without this one request's logged-in user or CSRF token would leak into the next."""
    for name in list(g):
        g.pop(name)


@pytest.fixture
def client(app: Flask, db_session: object) -> Iterator[FlaskClient]:
    """A browser-like client against an empty database."""
    app.test_client_class = FormClient
    request_started.connect(_fresh_g, app)
    yield app.test_client()
    request_started.disconnect(_fresh_g, app)


@pytest.fixture
def login_as(client: FormClient):
    """Log a user in through the real login form; returns the response."""

    def _login(user, password: str = factories.PASSWORD, remember: bool = False) -> object:
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "y"
        response = client.submit("/login", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login


# --- objects -----------------------------------------------------------------------------


@pytest.fixture
def switch_to(client: FormClient, login_as):
    """Log out whoever is logged in, and log in as another person."""

    def _switch(user):
        client.submit("/logout")
        return login_as(user)

    return _switch


@pytest.fixture
def member(db_session: object):
    return factories.user(name="Mette Medlem", email="mette@example.org")


@pytest.fixture
def other_member(db_session: object):
    return factories.user(name="Ole Andersen", email="ole@example.org")


@pytest.fixture
def facilitator(db_session: object):
    return factories.user(name="Frida Facilitator", email="frida@example.org", role="facilitator")


@pytest.fixture
def admin(db_session: object):
    return factories.user(name="Anders Admin", email="anders@example.org", role="admin")


@pytest.fixture
def theme(db_session: object):
    return factories.theme(name="Målsætning")


# --- query counting ----------------------------------------------------------------------


class QueryCounter:
    """Counts SQL statements sent while active."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_queries(app: Flask):
    """Return a function that runs a callable and returns how many SQL statements it sent."""

    def _count(fn) -> int:
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return counter.count

    return _count
