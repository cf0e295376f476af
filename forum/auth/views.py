"""Views of the auth blueprint."""

from __future__ import annotations

from forum.auth import bp  # noqa: F401
