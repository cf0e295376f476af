"""What a reader sees of a message: the Danish (or English) rendering of a msgid."""

from __future__ import annotations

from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape


def plain(msgid: str, language: str = "da", **variables: object) -> str:
    """Return a message as shown to a reader of the language, as plain text."""
    with force_locale(language):
        return gettext(msgid, **variables)


def da(msgid: str, **variables: object) -> str:
    """Return a message as a Danish reader sees it in HTML."""
    return str(escape(plain(msgid, **variables)))


def da_n(singular: str, plural: str, num: int) -> str:
    """Return a counted message as a Danish reader sees it in HTML."""
    with force_locale("da"):
        return str(escape(ngettext(singular, plural, num)))


def text(response: object) -> str:
    """Return a test client response's body as text."""
    return response.get_data(as_text=True)
