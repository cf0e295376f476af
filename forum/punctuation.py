"""Generated sentences and titles without doubled punctuation.

Titles are written by people and may end with a full stop ("Behov til mødet i Vejle."). A
sentence or title made from one must not add a second: "… i Vejle.." or "“… i Vejle.”.".
"""

from __future__ import annotations

# What ends a sentence, and what may close around its end (quotation marks, brackets).
TERMINAL = (".", "!", "?", "…")
CLOSING = "”“\"’'»)]"


def end_sentence(text: str) -> str:
    """Return the text ending with a full stop, unless it already ends with ".", "!", "?" or
    "…", also just inside a closing quotation mark or bracket."""
    text = text.rstrip()
    if not text or text.rstrip(CLOSING).endswith(TERMINAL):
        return text
    return text + "."


def without_final_stop(text: str) -> str:
    """Return a title without the full stop it ends with, to use inside a sentence or another
    title (an ellipsis, "?" and "!" stay: they are part of what it says)."""
    text = text.rstrip()
    if text.endswith(".") and not text.endswith(".."):
        return text[:-1].rstrip()
    return text
