"""Text kept when a writing form is sent after the session ended, and offered again after
logging in.

A reply, a new thread or an edited post sent without a valid session would lose what was
written: the login check sends the browser to the login page, and a form token that no
longer matches a session answers 400. Instead, the refused request is answered with the
login page itself, carrying the text on in one hidden field; after logging in, the text is
shown again in a form that posts where the first one did ("send it again"). Nothing is stored
on the server or in the session cookie, so a text as long as a post may be (50,000
characters, far beyond a cookie's 4 KB) survives, and nothing is left behind when the person
walks away.

Only text sent from this site's own pages is kept (the Origin or Referer header), so a
foreign page cannot plant words in someone's form; and only the person who wrote it gets it
back: writing forms carry their writer's id (`writer`), compared once the person is known.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from forum.forms import parse_id

# The hidden field of the login form that carries the text, and the writing forms' field
# naming their writer.
KEPT_FIELD = "kept"
WRITER_FIELD = "writer"
# Status of the login page shown in answer to a form sent without a valid session.
LOGIN_REQUIRED = 401
# Largest kept text accepted back from the login form (all fields together, in characters):
# a title and a post at their limits, the form's other choices, and room for JSON's quoting.
KEPT_MAX = 120_000


@dataclass(frozen=True)
class Keepable:
    """A writing form whose text is kept: the fields shown again to edit and send, the
    fields carried along unseen (choices made on the form), and the page that shows the
    form (from the URL's arguments), to go to after logging in when nothing is offered."""

    form: type[FlaskForm]
    shown: tuple[str, ...]
    carried: tuple[str, ...]
    page: Callable[[Mapping[str, Any]], str]


# Endpoint → the form it takes; the blueprints register their writing forms (`keep`).
KEEPABLE: dict[str, Keepable] = {}


def keep(
    endpoint: str,
    form: type[FlaskForm],
    shown: tuple[str, ...],
    carried: tuple[str, ...],
    page: Callable[[Mapping[str, Any]], str],
) -> None:
    """Keep the text of the endpoint's form when it is sent after the session ended."""
    KEEPABLE[endpoint] = Keepable(form, shown, carried, page)


@dataclass(frozen=True)
class KeptText:
    """What was sent: where to (the form's own path), by whom, and the fields' values."""

    action: str
    writer: int
    fields: tuple[tuple[str, str], ...]

    def to_json(self) -> str:
        """Return the text as the login form's hidden field carries it."""
        return json.dumps({"action": self.action, "writer": self.writer, "fields": self.fields})

    @cached_property
    def _target(self) -> tuple[Keepable, Mapping[str, Any]]:
        """Return the form posted to and the arguments of its URL."""
        endpoint, arguments = _endpoint(self.action)
        return KEEPABLE[endpoint], arguments

    def form(self) -> FlaskForm:
        """Return the writing form filled in with the kept values (with a fresh form token)."""
        return self._target[0].form(formdata=MultiDict(list(self.fields)))

    def carried(self) -> list[tuple[str, str]]:
        """Return the values sent along unseen, as (name, value) pairs."""
        names = self._target[0].carried
        return [(name, value) for name, value in self.fields if name in names]

    def shown(self) -> tuple[str, ...]:
        """Return the names of the fields shown again."""
        return self._target[0].shown

    def page(self) -> str:
        """Return the address of the page holding the form."""
        keepable, arguments = self._target
        return keepable.page(arguments)


def _endpoint(path: str) -> tuple[str, Mapping[str, Any]]:
    """Return the keepable endpoint a form posts to at the path, and the URL's arguments.

    Raises LookupError when no keepable form posts there.
    """
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        raise LookupError(path)
    try:
        endpoint, arguments = adapter.match(path, method="POST")
    except HTTPException as error:
        raise LookupError(path) from error
    if endpoint not in KEEPABLE:
        raise LookupError(path)
    return str(endpoint), arguments


def _from_own_page() -> bool:
    """Return whether the request was sent by a page of this site (Origin, else Referer)."""
    source = request.headers.get("Origin") or request.referrer
    return bool(source) and urlsplit(str(source)).netloc == request.host


def from_request() -> KeptText | None:
    """Return the text of the POST being refused when it is a keepable form sent from this
    site by a named writer; None otherwise (never raises)."""
    if request.method != "POST" or not _from_own_page():
        return None
    try:
        endpoint, _ = _endpoint(request.path)
    except LookupError:
        return None
    writer = parse_id(request.form.get(WRITER_FIELD))
    if writer is None:
        return None
    keepable = KEEPABLE[endpoint]
    names = {*keepable.shown, *keepable.carried}
    fields = tuple((name, value) for name, value in request.form.items(multi=True) if name in names)
    if not any(value.strip() for name, value in fields if name in keepable.shown):
        return None
    return KeptText(request.path, writer, fields)


def from_login_form() -> KeptText | None:
    """Return the text the login form carried on, when it is well formed (never raises)."""
    raw = request.form.get(KEPT_FIELD, "")
    if not raw or len(raw) > KEPT_MAX:
        return None
    try:
        data = json.loads(raw)
        action, writer, pairs = str(data["action"]), parse_id(data["writer"]), data["fields"]
        fields = tuple((str(name), str(value)) for name, value in pairs)
        if writer is None or not action.startswith("/"):
            return None
        _endpoint(action)
    except (ValueError, TypeError, KeyError, LookupError):
        return None
    return KeptText(action, writer, fields)


def login_page(kept: KeptText) -> tuple[str, int]:
    """Render the login page that carries the text on, returning to the form's page."""
    from forum.auth.forms import LoginForm

    page = render_template(
        "auth/login.html", form=LoginForm(formdata=None), next=kept.page(), kept=kept
    )
    return page, LOGIN_REQUIRED


def offer_again(kept: KeptText) -> str:
    """Render the kept text in its form again, ready to send (or to preview first)."""
    # Logging in began a new session in this request: the form token made for the login
    # form belongs to the old one, so a new token is made for the new session.
    token_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if token_name not in session:
        g.pop(token_name, None)
    return render_template("threads/kept.html", kept=kept, form=kept.form())


def is_writer(kept: KeptText) -> bool:
    """Return whether the person logged in now wrote the kept text."""
    return bool(current_user.is_authenticated) and current_user.id == kept.writer
