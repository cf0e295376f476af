"""Shared model helpers."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (how every time is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)
