"""Theme verbs: add, edit, reorder and archive the network's themes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Theme, User, utcnow
from forum.permissions import visible_themes
from forum.services import ServiceError


def listed_themes(viewer: User) -> list[Theme]:
    """Return the themes the viewer sees, in their set order."""
    return list(
        db.session.scalars(
            select(Theme).where(visible_themes(viewer)).order_by(Theme.position, Theme.id)
        )
    )


def _check_name(name: str, theme: Theme | None = None) -> str:
    """Return the trimmed name. Raises ServiceError when empty or taken."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Give the theme a name."), field="name")
    # Compared in Python: SQLite's lower() leaves Æ, Ø and Å as they are, so "Ærø" and "ærø"
    # would pass a SQL check, and an exact repeat would then hit the unique index as a 500.
    clash = next(
        (
            other
            for other in db.session.scalars(select(Theme))
            if other.name.casefold() == name.casefold()
        ),
        None,
    )
    if clash is not None and clash is not theme:
        raise ServiceError(_l("A theme with that name already exists."), field="name")
    return name


def create_theme(name: str, description: str) -> Theme:
    """Add a theme at the end of the list. Raises ServiceError on an empty or taken name."""
    name = _check_name(name)
    last = db.session.scalar(select(func.max(Theme.position))) or 0
    theme = Theme(name=name, description=(description or "").strip(), position=last + 1)
    db.session.add(theme)
    db.session.flush()
    return theme


def update_theme(theme: Theme, name: str, description: str) -> None:
    """Rename and describe a theme. Raises ServiceError on an empty or taken name."""
    theme.name = _check_name(name, theme)
    theme.description = (description or "").strip()
    db.session.flush()


def move_theme(theme: Theme, direction: int) -> None:
    """Move a theme one place up (-1) or down (+1) in the list."""
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    index = themes.index(theme)
    target = index + direction
    if 0 <= target < len(themes):
        themes[index], themes[target] = themes[target], themes[index]
    for position, item in enumerate(themes, start=1):
        item.position = position
    db.session.flush()


def set_archived(theme: Theme, archived: bool) -> None:
    """Archive a theme (read-only, out of lists) or bring it back."""
    theme.archived_at = utcnow() if archived else None
    db.session.flush()
