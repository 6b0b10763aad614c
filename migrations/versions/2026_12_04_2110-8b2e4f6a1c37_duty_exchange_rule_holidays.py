"""Duty rosters: a swap may be an exchange (the other's shift in return), a roster keeps the
rule it was built by (to extend it and rebuild its future) and may keep to holidays, and the
office's holiday calendar

Revision ID: 8b2e4f6a1c37
Revises: 7c4e2a9b1f03
Create Date: 2026-12-04 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b2e4f6a1c37'
down_revision = '7c4e2a9b1f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('duty_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_duty_holidays_day'))
    )
    with op.batch_alter_table('duty_rosters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('holidays_only', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('duty_swaps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exchange_shift_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_duty_swaps_exchange_shift_id'), ['exchange_shift_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_duty_swaps_exchange_shift_id_duty_shifts'), 'duty_shifts',
                                    ['exchange_shift_id'], ['id'])


def downgrade():
    with op.batch_alter_table('duty_swaps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_duty_swaps_exchange_shift_id_duty_shifts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_duty_swaps_exchange_shift_id'))
        batch_op.drop_column('exchange_shift_id')
    with op.batch_alter_table('duty_rosters', schema=None) as batch_op:
        batch_op.drop_column('holidays_only')
        batch_op.drop_column('rule')
    op.drop_table('duty_holidays')
