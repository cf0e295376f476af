"""Every stored Markdown field keeps text, HTML and render version; `flask rerender` renews it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from forum import markdown, rendering
from forum.extensions import db
from forum.models import Commitment, Post, Theme, User
from forum.services import actions as action_service
from forum.services import library as library_service
from forum.services import threads as thread_service


def test_every_stored_html_column_is_a_registered_markdown_field():
    registered = {(field.model.__tablename__, field.name) for field in rendering.MARKDOWN_FIELDS}
    stored = {
        (table.name, column.name.removesuffix("_html"))
        for table in db.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_html")
    }
    assert stored == registered
    for table, name in registered:
        columns = db.metadata.tables[table].columns
        assert {f"{name}_md", f"{name}_html", f"{name}_render_version"} <= set(columns.keys())


def test_twelve_fields_and_each_has_a_size_limit():
    assert len(rendering.MARKDOWN_FIELDS) == 12
    assert all(field.limit > 0 for field in rendering.MARKDOWN_FIELDS)


@pytest.fixture
def every_field_stored(app, db_session):
    """A database with at least one row of every Markdown field (demo data, an edit, a comment)."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    member = db.session.scalar(select(User).where(User.email == "member1@example.org"))
    post = db.session.scalar(select(Post).where(Post.author_id == member.id).limit(1))
    thread_service.edit_post(member, post, post.body_md + "\n\nRettet.")
    commitment = db.session.scalar(select(Commitment).where(Commitment.owner_id != member.id))
    action_service.add_comment(member, commitment, "Godt **gået**.")
    library_service.add_link(
        member,
        library_service.ResourceDetails(
            "Guide", "En *god* guide", themes=[db.session.scalar(select(Theme).limit(1))]
        ),
        "https://example.org/guide",
    )
    db.session.commit()
    for field in rendering.MARKDOWN_FIELDS:
        assert db.session.scalar(select(field.model).limit(1)) is not None, field.label


def test_rerender_renews_outdated_html_of_every_field(app, every_field_stored):
    stale: dict[str, int] = {}
    for field in rendering.MARKDOWN_FIELDS:
        row = db.session.scalar(
            select(field.model).where(getattr(field.model, f"{field.name}_md") != "").limit(1)
        )
        assert row is not None, field.label
        stale[field.label] = row.id
        db.session.execute(
            update(field.model)
            .where(field.model.id == row.id)
            .values({f"{field.name}_html": "<p>old</p>", f"{field.name}_render_version": 1})
        )
    db.session.commit()
    assert all(rendering.outdated_count(field) >= 1 for field in rendering.MARKDOWN_FIELDS)

    result = app.test_cli_runner().invoke(args=["rerender", "--batch-size", "3"])

    assert result.exit_code == 0, result.output
    assert "Re-rendered" in result.output
    db.session.expire_all()
    for field in rendering.MARKDOWN_FIELDS:
        row = db.session.get(field.model, stale[field.label])
        text = getattr(row, f"{field.name}_md")
        assert getattr(row, f"{field.name}_html") == str(markdown.render(text)), field.label
        assert getattr(row, f"{field.name}_render_version") == markdown.RENDER_VERSION
        assert rendering.outdated_count(field) == 0, field.label


def test_rerender_leaves_current_html_alone(app, every_field_stored):
    post = db.session.scalar(select(Post).limit(1))
    post.body_html = "<p>kept</p>"
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["rerender"])

    assert result.exit_code == 0, result.output
    assert "Re-rendered 0 stored texts" in result.output
    db.session.expire_all()
    assert db.session.get(Post, post.id).body_html == "<p>kept</p>"


def test_saving_a_field_records_the_render_version(every_field_stored):
    for field in rendering.MARKDOWN_FIELDS:
        versions = db.session.scalars(select(field.version_column()))
        assert set(versions) == {markdown.RENDER_VERSION}, field.label
