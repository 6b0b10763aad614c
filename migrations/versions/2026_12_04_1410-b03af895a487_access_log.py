"""access_log: every reveal of a resident's full phone or ID number, and every export

Revision ID: b03af895a487
Revises: 0c45f28e0ce7
Create Date: 2026-12-04 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b03af895a487'
down_revision = '0c45f28e0ce7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'access_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_type', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=True),
        sa.Column('filters', sa.Text(), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_access_log_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log')),
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_access_log_subject', ['subject_type', 'subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_subject')
        batch_op.drop_index(batch_op.f('ix_access_log_kind'))
        batch_op.drop_index(batch_op.f('ix_access_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_at'))
    op.drop_table('access_log')
