"""The demo network (filled in by the seed-demo work)."""

from __future__ import annotations

import click


@click.command("seed-demo")
@click.option("--force", is_flag=True)
@click.option("--if-empty", is_flag=True)
def seed_demo_command(force: bool, if_empty: bool) -> None:
    """Create the demo network."""
    raise click.ClickException("not built yet")
