"""Views of the admin blueprint."""

from __future__ import annotations

from forum.admin import bp  # noqa: F401
