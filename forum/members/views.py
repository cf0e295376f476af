"""Views of the members blueprint."""

from __future__ import annotations

from forum.members import bp  # noqa: F401
