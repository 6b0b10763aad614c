"""care_tags and visit_rules: households' care groups (重点人群) and the monthly visits each
team owes them (定向常态服务)

Revision ID: 5b7e2c9d41a3
Revises: 0f1fa3bc6854
Create Date: 2026-12-04 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c9d41a3'
down_revision = '0f1fa3bc6854'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'care_tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                                name=op.f('fk_care_tags_household_id_households')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_tags')),
        sa.UniqueConstraint('household_id', 'tag', name='uq_care_tags_household_id'),
    )
    with op.batch_alter_table('care_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_tags_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_tags_tag'), ['tag'], unique=False)

    op.create_table(
        'visit_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team', sa.String(length=32), nullable=False),
        sa.Column('care_tag', sa.String(length=32), nullable=False),
        sa.Column('visits_per_month', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_visit_rules_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_rules')),
        sa.UniqueConstraint('team', 'care_tag', name='uq_visit_rules_team'),
    )
    with op.batch_alter_table('visit_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_rules_team'), ['team'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_rules_team'))
    op.drop_table('visit_rules')
    with op.batch_alter_table('care_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_tags_tag'))
        batch_op.drop_index(batch_op.f('ix_care_tags_household_id'))
    op.drop_table('care_tags')
