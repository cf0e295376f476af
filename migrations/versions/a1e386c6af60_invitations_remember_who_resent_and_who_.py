"""invitations remember who resent and who revoked them

Resending gives an invitation a new token and expiry; the list of invitations shows when and by
whom it was last sent, and who revoked one. Nullable columns, nothing to fill in for old rows.

Revision ID: a1e386c6af60
Revises: d9ba96948514
Create Date: 2026-11-30 08:20:50.629090

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1e386c6af60'
down_revision = 'd9ba96948514'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resent_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitations_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_invitations_resent_by_id_users'), 'users', ['resent_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitations_resent_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_invitations_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('resent_by_id')
        batch_op.drop_column('resent_at')
