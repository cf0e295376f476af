"""password reset requests, counted per client address and per account

Revision ID: a3f1c9d2b7e4
Revises: c6d513038560
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f1c9d2b7e4'
down_revision = 'c6d513038560'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests'))
    )
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.create_index('ix_password_reset_requests_address_created', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_password_reset_requests_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_requests_user_created')
        batch_op.drop_index('ix_password_reset_requests_address_created')

    op.drop_table('password_reset_requests')
