"""Flask commands for running an installation: create-user, set-password, worker, ..."""

from __future__ import annotations

import click
from flask import Flask, current_app

from forum import rendering, worker
from forum.extensions import db
from forum.models import utcnow
from forum.permissions import ROLES, Role
from forum.services import ServiceError, search_index
from forum.services import accounts as account_service

# Both account commands take a password the same way: asked for, hidden and twice, when left out.
password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when left out.",
)


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), default=Role.MEMBER.value, show_default=True)
@password_option
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create an account (for example the first admin) with a password."""
    try:
        user = account_service.create_user(email, name, role, password)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@click.command("set-password")
@click.argument("email")
@password_option
def set_password_command(email: str, password: str) -> None:
    """Give an account a new password, ending its sessions and reset links."""
    user = account_service.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    try:
        account_service.replace_password(user, password)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Set a new password for {user.email}")


@click.command("rerender")
@click.option("--batch-size", default=200, show_default=True, help="Rows per commit.")
def rerender_command(batch_size: int) -> None:
    """Re-render every stored Markdown field whose HTML was made under older rules."""
    # Commits once per batch rather than once at the end, unlike other commands: a re-render
    # after a rule change touches every stored text, and one transaction holding them all
    # would keep the write lock (SQLite) for minutes and could not resume if stopped. Each
    # batch is complete in itself (text, HTML and version change together), so a stop halfway
    # leaves only rows still marked outdated, which the next run picks up.
    total = sum(rendering.outdated_count(field) for field in rendering.MARKDOWN_FIELDS)
    with click.progressbar(length=total, label="Re-rendering Markdown") as bar:
        done = rendering.rerender_all(lambda _field, count: bar.update(count), batch_size)
    click.echo(f"Re-rendered {done} stored texts")


@click.command("reindex")
@click.option(
    "--reread-files",
    is_flag=True,
    help="Also have the worker read the text of every uploaded document again.",
)
def reindex_command(reread_files: bool) -> None:
    """Rebuild the search index from everything stored, in one transaction."""
    # One transaction: searches meanwhile see the old index, never a half-built one. On
    # SQLite that holds the write lock for the rebuild (seconds for the small benchmark set).
    connection = db.session.connection()
    with click.progressbar(
        length=search_index.source_count(connection), label="Rebuilding the search index"
    ) as bar:
        written = search_index.rebuild(connection, bar.update)
    reread = search_index.reread_files() if reread_files else 0
    db.session.commit()
    click.echo(f"Indexed {written} rows")
    if reread_files:
        click.echo(f"The worker will read the text of {reread} files again")


@click.command("purge-removed")
def purge_removed_command() -> None:
    """Delete the resources that have been in the bin for more than 30 days, with their files."""
    purged = worker.purge_removed_resources(utcnow())
    if not purged:
        click.echo("Nothing to purge")
    for item in purged:
        click.echo(f"Purged resource {item.resource_id} “{item.title}” ({len(item.files)} files)")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass (timed jobs, then delivery) and exit.")
@click.option(
    "--poll",
    type=float,
    default=None,
    help="Seconds between passes (default: FORUM_WORKER_POLL_SECONDS, 5).",
)
def worker_command(once: bool, poll: float | None) -> None:
    """Deliver queued emails and run the timed jobs: reminders, closing surveys, digests."""
    if once:
        report = worker.run_once()
        click.echo(
            f"Sent {report.sent} emails ({report.failed} failed, {report.dropped} dropped); "
            f"queued {report.reminders} reminders and {report.digests} digests, "
            f"told {report.survey_notices} people of a closing survey"
        )
        return
    worker.Worker(poll if poll is not None else current_app.config["WORKER_POLL_SECONDS"]).run()


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(rerender_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(purge_removed_command)
    from forum.demo import seed_demo_command

    app.cli.add_command(seed_demo_command)
    from forum.actions.commands import send_reminders_command

    app.cli.add_command(send_reminders_command)
