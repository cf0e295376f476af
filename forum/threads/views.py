"""Views of the threads blueprint."""

from __future__ import annotations

from forum.threads import bp  # noqa: F401
