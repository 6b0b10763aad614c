"""directives.withdrawn_at, withdrawn_by_id: a directive withdrawn (撤回) by a leader

Revision ID: 0f1fa3bc6854
Revises: 6e140b423dca
Create Date: 2026-12-04 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0f1fa3bc6854'
down_revision = '6e140b423dca'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_directives_withdrawn_by_id_users'), 'users',
                                    ['withdrawn_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_directives_withdrawn_by_id_users'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
