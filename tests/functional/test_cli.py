"""The flask commands: create-user and seed-demo."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from forum import demo
from forum.extensions import db
from forum.models import Commitment, LogEntry, Meeting, Post, Theme, Thread, User
from tests import factories


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- create-user -------------------------------------------------------------------------


def test_create_user_makes_an_account_that_can_log_in(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "Første.Admin@Example.org",
            "--name",
            "Første Admin",
            "--role",
            "admin",
            "--password",
            "a-long-enough-password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "første.admin@example.org" in result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.role) == (
        "første.admin@example.org",
        "Første Admin",
        "admin",
    )
    assert check_password_hash(user.password_hash, "a-long-enough-password")


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-user", "kort@example.org", "--name", "Kort", "--password", "kort"],
        catch_exceptions=False,
    )
    assert result.exit_code != 0
    assert "10" in result.output  # the minimum length is explained
    assert count(User) == 0


def test_create_user_refuses_a_taken_email(runner, member):
    result = runner.invoke(
        args=[
            "create-user",
            member.email.upper(),
            "--name",
            "Dobbeltgænger",
            "--password",
            "a-long-enough-password",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code != 0
    assert "Error" in result.output
    assert count(User) == 1
    assert db.session.scalar(select(User.name)) == member.name


# --- seed-demo ---------------------------------------------------------------------------


def snapshot() -> tuple[int, ...]:
    """Return row counts and the highest ids, which any change to the data would move."""
    db.session.expire_all()
    return (
        count(User),
        count(Theme),
        count(Thread),
        count(Post),
        db.session.scalar(select(func.max(User.id))) or 0,
        db.session.scalar(select(func.max(Post.id))) or 0,
    )


def test_seed_demo_builds_a_believable_network_once(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    assert "facilitator@example.org" in result.output
    assert "member12@example.org" in result.output
    assert demo.DEMO_PASSWORD in result.output

    users = list(db.session.scalars(select(User)))
    assert len(users) == 14
    by_email = {user.email: user for user in users}
    assert by_email["admin@example.org"].role == "admin"
    assert by_email["facilitator@example.org"].role == "facilitator"
    assert {f"member{n}@example.org" for n in range(1, 13)} <= set(by_email)
    assert {user.region for user in users} == {
        "hovedstaden",
        "sjaelland",
        "syddanmark",
        "midtjylland",
        "nordjylland",
    }
    assert all(user.job_title and user.library and user.bio for user in users)
    assert check_password_hash(by_email["member7@example.org"].password_hash, "demo-password")

    themes = list(db.session.scalars(select(Theme).order_by(Theme.position)))
    assert [theme.name for theme in themes] == ["Målsætning", "Engagement", "Partnerskaber"]
    assert all(theme.description for theme in themes)

    for theme in themes:
        threads = list(db.session.scalars(select(Thread).where(Thread.theme_id == theme.id)))
        conversations = [t for t in threads if t.title in {spec.title for spec in demo.THREADS}]
        assert len(conversations) >= 3, theme.name
        for thread in conversations:
            posts = list(
                db.session.scalars(
                    select(Post).where(Post.thread_id == thread.id).order_by(Post.position)
                )
            )
            assert 2 <= len(posts) - 1 <= 5, thread.title
            assert thread.post_count == len(posts)
            assert [post.position for post in posts] == list(range(1, len(posts) + 1))
            times = [post.created_at for post in posts]
            assert times == sorted(times) and len(set(times)) == len(times)
            assert thread.created_at == posts[0].created_at
            assert thread.last_post_at == posts[-1].created_at
            assert thread.last_poster_id == posts[-1].author_id
            assert thread.author_id == posts[0].author_id

    statuses = set(db.session.scalars(select(Commitment.status)))
    assert statuses == {"planned", "in_progress", "done", "paused", "dropped"}
    meeting_dates = sorted(db.session.scalars(select(Meeting.date)))
    assert len(meeting_dates) == 3
    assert meeting_dates[1] < date.today() < meeting_dates[2]
    assert db.session.scalar(select(func.count(LogEntry.id))) >= 5
    assert {t.visibility for t in db.session.scalars(select(Thread))} == {
        "network",
        "circle",
        "facilitators",
    }

    html = " ".join(db.session.scalars(select(Post.body_html)))
    assert "<strong>" in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert '<a href="https://' in html
    spread = db.session.execute(select(func.min(Post.created_at), func.max(Post.created_at))).one()
    assert (spread[1] - spread[0]).days >= 21

    before = snapshot()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "--force" in again.output
    assert snapshot() == before

    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert snapshot() == before


def test_seed_demo_with_force_replaces_everything(runner, member, theme):
    factories.thread(member, theme, "En gammel tråd")
    before = snapshot()

    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
    assert snapshot() == before

    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert snapshot() == before

    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    assert count(User) == 14
    assert count(Theme) == 3
    assert db.session.scalar(select(User).where(User.email == "mette@example.org")) is None
    assert db.session.scalar(select(Thread).where(Thread.title == "En gammel tråd")) is None
