"""Choosing a resource to link from a post or a log entry, without typing its address.

A form gets a `resource_id` select listing the newest resources the writer may see; the
chosen one is appended to the text as a Markdown link when it is saved (so it works without
JavaScript), and the link is then recorded as a use like any pasted address.
"""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import SelectField

from forum.actions.forms import choices
from forum.models import User
from forum.services import library as library_service


def offer_resources(field: SelectField, viewer: User) -> None:
    """Offer no resource, then the newest resources the viewer may see (one query)."""
    field.choices = choices(
        [
            ("", _("None")),
            *((item.id, item.title) for item in library_service.resource_choices(viewer)),
        ]
    )


def with_chosen_resource(viewer: User, text: str, field: SelectField) -> str:
    """Return the text with a link to the chosen resource appended (unchanged for none).

    Raises ServiceError when the viewer may not see the resource chosen.
    """
    return library_service.with_resource_link(viewer, text, field.data, field.name)
