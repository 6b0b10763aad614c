"""A check-in may name the household visited (planned rounds count it as a visit)

Revision ID: 7c4e2a9b1f03
Revises: 35f042f14f05
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e2a9b1f03'
down_revision = '35f042f14f05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_checkins_household_id'), ['household_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_checkins_household_id_households'), 'households',
                                    ['household_id'], ['id'])


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checkins_household_id_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_checkins_household_id'))
        batch_op.drop_column('household_id')
