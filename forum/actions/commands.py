"""The `flask send-reminders` command: the worker runs the same job every minute, so this is
only needed without a worker, from cron (then run `flask worker --once` after it)."""

from __future__ import annotations

from datetime import datetime

import click

from forum.extensions import db
from forum.services import reminders as reminder_service
from forum.services.meetings import today


@click.command("send-reminders")
@click.option(
    "--today",
    "on_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were this day (YYYY-MM-DD); default: today in Copenhagen.",
)
def send_reminders_command(on_day: datetime | None) -> None:
    """Queue the RSVP and commitment reminders due today, each at most once per person."""
    day = on_day.date() if on_day else today()
    report = reminder_service.send_reminders(day)
    db.session.commit()
    click.echo(
        f"Queued {report.total} reminders ({report.rsvp} about answering the invitation, "
        f"{report.commitments} about open commitments)"
    )
