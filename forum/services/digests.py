"""Daily and weekly digest emails (filled in below)."""

from __future__ import annotations

from datetime import datetime


def send_due_digests(now: datetime) -> int:
    """Queue each person's digest for the latest period, once; return how many were queued."""
    return 0
