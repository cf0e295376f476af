"""Wiring of extensions, blueprints, locale, login, error pages and security headers."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from forum import dates, permissions
from forum import kept as kept_text
from forum.database import configure_sqlite, finish_request
from forum.extensions import babel, csrf, db, login_manager, migrate
from forum.models import User, vocabulary
from forum.punctuation import without_final_stop

# Endpoints reachable without logging in; everything else redirects to the login page.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "core.healthz",
        "auth.login",
        "auth.accept_invitation",
        "auth.forgot_password",
        "auth.reset_password",
        "auth.set_language",  # the header's language switch, on the login page too
        "meetings.calendar_feed",  # secret address, read by calendar programs without a cookie
        "email.unsubscribe",  # signed link in every email, used without logging in (RFC 8058)
    }
)
LANGUAGES = ("da", "en")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
NO_STORE = "private, no-store"
# Views that take a file: their request may be up to twice the upload limit, so a file just
# over the limit is answered in the form (forum.library.views). Raised before any form is
# read: CSRFProtect reads it before the view runs, under MAX_CONTENT_LENGTH otherwise.
UPLOAD_ENDPOINTS = frozenset({"library.new", "library.replace"})


def select_locale() -> str:
    """Pick the reader's language: their profile, else the one chosen for the visit, else the
    browser's, else Danish."""
    if not has_request_context():  # CLI commands and background work speak Danish
        return "da"
    user = current_user
    if user and user.is_authenticated and user.language in LANGUAGES:
        return str(user.language)
    # A page reached by a personal link (an email's unsubscribe link) speaks its owner's.
    if g.get("link_owner_language") in LANGUAGES:
        return str(g.link_owner_language)
    # A visitor who chose a language in the header before logging in.
    if session.get("language") in LANGUAGES:
        return str(session["language"])
    return request.accept_languages.best_match(LANGUAGES, default="da") or "da"


def load_user(session_id: str) -> User | None:
    """Load the user of a session, refusing cookies from before a logout or password change."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_enabled:
        return None
    return user


def _require_login() -> Response | tuple[str, int] | None:
    """Send anonymous visitors of non-public pages to the login page."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if current_user.is_authenticated:
        return None
    kept = kept_text.from_request()
    if kept is not None:
        # A text written before the session ended travels on through the login page.
        return kept_text.login_page(kept)
    return login_manager.unauthorized()


def _raise_upload_limit() -> None:
    """Let an upload view's request be as large as twice the upload limit."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] * 2


class InvalidCharacter(BadRequest):
    """A NUL character in the path, query or form: no person types one, and PostgreSQL
    refuses to store it (mid-query, as a 500), so it is refused before any view runs."""


def _has_nul(values: MultiDict[str, str]) -> bool:
    """Return whether any name or value contains a NUL character."""
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


class HideSearches(logging.Filter):
    """Cut what was searched for out of access-log lines: searches are not logged with their
    text (a query can name a colleague or a confidential matter)."""

    SEARCH = re.compile(r"(/soeg[^?\s\"]*)\?[^\s\"]*")

    def _hide(self, value: object) -> object:
        """Return a string with search queries replaced; anything else as it is."""
        return self.SEARCH.sub(r"\1?…", value) if isinstance(value, str) else value

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message and arguments; never drops the line."""
        record.msg = self._hide(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._hide(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            # gunicorn's access log passes its atoms by name: the request line (r), the
            # referrer (f), the path (U) and the bare query string (q).
            atoms = {key: self._hide(value) for key, value in record.args.items()}
            if str(atoms.get("U", "")).startswith("/soeg") and atoms.get("q"):
                atoms["q"] = "…"
            record.args = atoms
        return True


# The loggers that write request lines: the development server's and gunicorn's access log.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def _hide_searches_in_access_logs() -> None:
    """Add the HideSearches filter to the access loggers, once per process."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideSearches) for f in logger.filters):
            logger.addFilter(HideSearches())


def _refuse_nul() -> None:
    """Refuse a request with a NUL character in its path, query or form.

    Raises InvalidCharacter (400).
    """
    if "\x00" in request.path or _has_nul(request.args):
        raise InvalidCharacter()
    if request.method == "POST" and _has_nul(request.form):
        raise InvalidCharacter()


def _security_headers(response: Response) -> Response:
    """Add the security headers every response carries.

    Responses to a logged-in person are never stored by any cache: on a shared library PC
    the next person could otherwise find them with Back. Static files stay cacheable.
    """
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "static":
        return response
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = NO_STORE
    else:
        # Anonymous pages carry form tokens or secret links; a view may allow a private cache
        # (the calendar feed, which calendar programs fetch without a cookie).
        response.headers.setdefault("Cache-Control", NO_STORE)
    return response


def _finish_transaction(response: Response) -> Response:
    """Commit the request's one transaction when it succeeded, else roll it back."""
    finish_request(response.status_code)
    return response


def _error_page(error: HTTPException) -> tuple[str, int]:
    """Render an error page in the reader's language."""
    code = error.code or 500
    if code == 413 and request.endpoint in UPLOAD_ENDPOINTS:
        # The file was too large to read at all: say how large may be, and lead back.
        limit_mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
        back = request.referrer if _is_own_page(request.referrer) else url_for("library.index")
        page = render_template("errors/upload_too_large.html", limit_mb=limit_mb, back=back)
        return page, 413
    template = f"errors/{code}.html" if code in (403, 404) else "errors/generic.html"
    return render_template(template, error=error, code=code), code


def _is_own_page(address: str | None) -> bool:
    """Return whether an address is a page of this site (a safe place to lead back to)."""
    return bool(address) and urlsplit(str(address)).netloc == request.host


def _server_error(error: Exception) -> tuple[str, int]:
    """Render the generic error page for an unexpected failure."""
    db.session.rollback()
    return render_template("errors/generic.html", code=500), 500


def _invalid_character(error: InvalidCharacter) -> tuple[str, int]:
    """Explain a refused control character in the reader's language."""
    return render_template("errors/invalid_character.html", code=400), 400


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    """Explain an expired or missing form token instead of a bare 400; a text written in a
    form whose session ended is kept: through the login page, or offered again at once."""
    kept = kept_text.from_request()
    if kept is not None and not current_user.is_authenticated:
        return kept_text.login_page(kept)
    if kept is not None and kept_text.is_writer(kept):
        return kept_text.offer_again(kept), 400
    return render_template("errors/csrf.html", code=400), 400


class IdConverter(IntegerConverter):
    """A database id in a URL: ids beyond 64 bits answer 404 instead of overflowing the driver."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=2**63 - 1)


def init_app(app: Flask) -> None:
    """Bind extensions and blueprints to the app."""
    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True
    )
    # Before CSRFProtect, which reads the form of every POST before the view runs.
    app.before_request(_raise_upload_limit)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/Copenhagen")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    from forum.actions import bp as actions_bp
    from forum.admin import bp as admin_bp
    from forum.auth import bp as auth_bp
    from forum.core import bp as core_bp
    from forum.email_prefs import bp as email_bp
    from forum.library import bp as library_bp
    from forum.meetings import bp as meetings_bp
    from forum.members import bp as members_bp
    from forum.moderation import bp as moderation_bp
    from forum.notifications import bp as notifications_bp
    from forum.search import bp as search_bp
    from forum.threads import bp as threads_bp

    for blueprint in (
        core_bp,
        auth_bp,
        members_bp,
        threads_bp,
        moderation_bp,
        admin_bp,
        meetings_bp,
        actions_bp,
        library_bp,
        notifications_bp,
        email_bp,
        search_bp,
    ):
        app.register_blueprint(blueprint)

    from forum import cli
    from forum.services import search_index, uploads

    cli.init_app(app)
    uploads.init_app(app)
    search_index.init_app(app)

    _hide_searches_in_access_logs()
    app.before_request(_refuse_nul)
    app.before_request(_require_login)
    # after_request functions run last-registered first: the headers (which may load the
    # user) run inside the request's transaction, and the transaction ends after them.
    app.after_request(_finish_transaction)
    app.after_request(_security_headers)
    app.register_error_handler(InvalidCharacter, _invalid_character)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(500, _server_error)
    # One format for dates and times everywhere (forum.dates): `moment|datetime` for a stored
    # moment, `day|date` for a calendar date, `time_of_day|time` for a clock time; the _text
    # ones are plain text, never relative, for emails.
    app.jinja_env.filters.update(
        datetime=dates.moment_tag,
        date=dates.day_tag,
        time=dates.clock_text,
        datetime_text=dates.moment_text,
        date_text=dates.day_text,
    )
    app.jinja_env.filters["without_final_stop"] = without_final_stop
    # Templates compare with the shared vocabularies, not string literals.
    app.jinja_env.globals.update(
        Role=vocabulary.Role,
        Visibility=vocabulary.Visibility,
        CommitmentVisibility=vocabulary.CommitmentVisibility,
        CommitmentStatus=vocabulary.CommitmentStatus,
        QuestionKind=vocabulary.QuestionKind,
        ReportResolution=vocabulary.ReportResolution,
        NotificationKind=vocabulary.NotificationKind,
        WatchLevel=vocabulary.WatchLevel,
    )

    @app.context_processor
    def _inject() -> dict[str, Any]:
        from forum.services.accounts import REGIONS

        return {
            "REGIONS": REGIONS,
            "current_language": select_locale(),
            "can": permissions.ReaderAbilities(current_user),
        }
