"""Flask commands for running an installation: create-user, set-password, seed-demo, ..."""

from __future__ import annotations

import click
from flask import Flask

from forum.extensions import db
from forum.permissions import ROLES, Role
from forum.services import ServiceError
from forum.services import accounts as account_service
from forum.services import threads as thread_service


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), default=Role.MEMBER.value, show_default=True)
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


@click.command("set-password")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when left out.",
)
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


@click.command("rerender-posts")
def rerender_posts_command() -> None:
    """Re-render posts stored under older Markdown rules."""
    count = thread_service.rerender_outdated_posts()
    db.session.commit()
    click.echo(f"Re-rendered {count} posts")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(rerender_posts_command)
    from forum.demo import seed_demo_command

    app.cli.add_command(seed_demo_command)
    from forum.actions.commands import send_reminders_command

    app.cli.add_command(send_reminders_command)
