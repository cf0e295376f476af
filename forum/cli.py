"""Flask commands for running an installation: create-user, seed-demo, rerender-posts."""

from __future__ import annotations

import click
from flask import Flask

from forum.extensions import db
from forum.permissions import ROLES
from forum.services import ServiceError
from forum.services import accounts as account_service
from forum.services import threads as thread_service


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when left out.",
)
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create an account (for example the first admin) with a password."""
    try:
        user = account_service.create_user(email, name, role, password)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@click.command("rerender-posts")
def rerender_posts_command() -> None:
    """Re-render posts stored under older Markdown rules."""
    count = thread_service.rerender_outdated_posts()
    db.session.commit()
    click.echo(f"Re-rendered {count} posts")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(rerender_posts_command)
    from forum.demo import seed_demo_command

    app.cli.add_command(seed_demo_command)
    from forum.actions.commands import send_reminders_command

    app.cli.add_command(send_reminders_command)
