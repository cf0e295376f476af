"""A render version for every stored Markdown field.

Posts and announcements keep the version they were rendered under (the column is renamed to
body_render_version, like every other field's). The nine other fields never recorded one:
their rows get 0, "rules unknown", so `flask rerender` brings every one of them up to date
rather than trusting HTML that may predate the bounded link scanning of version 2.

Revision ID: b4f1e2a9c7d3
Revises: a3f1c9d2b7e4
Create Date: 2026-11-30 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4f1e2a9c7d3'
down_revision = 'a3f1c9d2b7e4'
branch_labels = None
depends_on = None

RENAMED = ('posts', 'announcements')
ADDED = {
    'post_revisions': ('body',),
    'commitments': ('why',),
    'log_entries': ('tried', 'learned', 'blocking', 'needs'),
    'commitment_comments': ('body',),
    'meetings': ('agenda', 'practical'),
}


def upgrade():
    for table in RENAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'render_version', new_column_name='body_render_version',
                existing_type=sa.Integer(), existing_nullable=False,
            )
    for table, fields in ADDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for field in fields:
                batch_op.add_column(sa.Column(
                    f'{field}_render_version', sa.Integer(), nullable=False, server_default='0'
                ))


def downgrade():
    for table, fields in ADDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for field in fields:
                batch_op.drop_column(f'{field}_render_version')
    for table in RENAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'body_render_version', new_column_name='render_version',
                existing_type=sa.Integer(), existing_nullable=False,
            )
