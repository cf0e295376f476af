"""The schema comes from the migrations, and both engines behave under concurrent writes."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from forum.extensions import db
from forum.models import Post, Thread
from forum.models.search import include_object
from forum.services import threads as thread_service
from tests import factories


def test_migrations_and_models_agree(app, db_session):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(app, db_session):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings apply to the SQLite engine only")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_concurrent_replies_all_land_with_distinct_positions(app, db_session):
    """Eight writers at once (as several workers would) never fail and never clash."""
    author = factories.user()
    thread = factories.thread(author, factories.theme())
    thread_id, author_id = thread.id, author.id
    db.session.commit()  # end the read transaction: on SQLite it holds the write lock
    errors: list[BaseException] = []

    def write_replies() -> None:
        try:
            for n in range(10):
                # Each reply is a request of its own: reads unlocked, then one commit.
                with app.test_request_context(f"/traad/{thread_id}/svar", method="POST"):
                    locked_thread = db.session.get(Thread, thread_id)
                    writer = db.session.get(type(author), author_id)
                    thread_service.reply(writer, locked_thread, f"Svar {n}")
                    db.session.commit()
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=write_replies) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    db.session.expire_all()
    positions = db.session.scalars(
        select(Post.position).where(Post.thread_id == thread_id).order_by(Post.position)
    ).all()
    assert positions == list(range(1, 82))
    assert db.session.get(Thread, thread_id).post_count == 81
    assert db.session.scalar(select(func.count(Post.id))) == 81


FIRST_REVISION = "e159003ccfd7"


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database apart from the suite's, on the same engine as the suite."""
    import os

    from tests.conftest import postgres_database

    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        yield from postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"


def test_upgrading_a_populated_database_keeps_every_row(scratch_database_url, smtp_server):
    """Later migrations rebuild tables on SQLite; no row may be lost on the way."""
    from flask_migrate import upgrade

    from forum import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_database_url})
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        statements = [
            "INSERT INTO users (id, email, name, role, is_enabled, session_version, job_title,"
            " library, municipality, region, bio, language, created_at)"
            " VALUES (1, 'a@example.org', 'A', 'member', true, 1, '', '', '', '', '', 'da',"
            " '2026-01-01')",
            "INSERT INTO themes (id, name, description, position, created_at)"
            " VALUES (1, 'Tema', '', 1, '2026-01-01')",
            "INSERT INTO threads (id, theme_id, author_id, title, created_at, post_count,"
            " last_post_at, last_poster_id) VALUES (1, 1, 1, 'Tråd', '2026-01-01', 1,"
            " '2026-01-01', 1)",
            "INSERT INTO posts (id, thread_id, author_id, position, body_md, body_html,"
            " render_version, created_at) VALUES (1, 1, 1, 1, 'x', '<p>x</p>', 1, '2026-01-01')",
            "INSERT INTO post_revisions (id, post_id, body_md, body_html, written_by_id,"
            " written_at, replaced_at) VALUES (1, 1, 'w', '<p>w</p>', 1, '2026-01-01',"
            " '2026-01-01')",
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as connection:
            for table in ("users", "themes", "threads", "posts", "post_revisions"):
                count = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                assert count == 1, table
            visibility = connection.exec_driver_sql("SELECT visibility FROM threads").scalar()
            assert visibility == "network"
            # A post keeps the version it was rendered under; a field that never recorded one
            # starts at 0, so `flask rerender` renders it anew.
            versions = connection.exec_driver_sql(
                "SELECT posts.body_render_version, post_revisions.body_render_version"
                " FROM posts, post_revisions"
            ).one()
            assert tuple(versions) == (1, 0)
        db.engine.dispose()
