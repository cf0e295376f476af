"""@handles: unique ASCII names for mentions, made from a person's name.

`Mette Søndergaard` becomes `mette.soendergaard` (æ ø å as ae oe aa, other accents dropped);
a taken handle gets a number (`mette.soendergaard2`). Every new account gets one when it is
first flushed, however it was made (invitation, CLI, seeding, tests).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forum.models.accounts import User

HANDLE_MAX = 40
# Letters, digits, and single dots, dashes or underscores between them.
HANDLE_PATTERN = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def handle_from_name(name: str) -> str:
    """Return the handle a name suggests, before making it unique ("medlem" for no letters)."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(_DANISH))
        .encode("ascii", "ignore")
        .decode("ascii")
        .lower()
    )
    handle = re.sub(r"[^a-z0-9]+", ".", ascii_name).strip(".")
    return handle[:HANDLE_MAX].strip(".") or "medlem"


def is_valid_handle(handle: str) -> bool:
    """Return whether a handle is well formed (lower-case ASCII, at most HANDLE_MAX long)."""
    return len(handle) <= HANDLE_MAX and HANDLE_PATTERN.fullmatch(handle) is not None


def unique_handle(
    session: Session, name: str, taken: set[str] | frozenset[str] = frozenset()
) -> str:
    """Return a handle for the name that no account and nothing in `taken` uses."""
    base = handle_from_name(name)
    used = set(
        session.scalars(
            select(User.handle)
            .where(User.handle.like(f"{base}%"))
            .execution_options(autoflush=False)
        )
    ) | set(taken)
    if base not in used:
        return base
    number = 2
    while f"{base[: HANDLE_MAX - 4]}{number}" in used:
        number += 1
    return f"{base[: HANDLE_MAX - 4]}{number}"


@event.listens_for(Session, "before_flush")
def _give_new_accounts_handles(session: Session, *_: object) -> None:
    """Give every new account without a handle one made from its name."""
    given: set[str] = set()
    for person in session.new:
        if isinstance(person, User) and not person.handle:
            with session.no_autoflush:
                person.handle = unique_handle(session, person.name, given)
            given.add(person.handle)
