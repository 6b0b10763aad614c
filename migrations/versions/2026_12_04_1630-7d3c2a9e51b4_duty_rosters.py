"""duty rosters: rosters with their shifts and the people on them, standby groups with
their members, and swaps asked between two people

Revision ID: 7d3c2a9e51b4
Revises: 5b7e2c9d41a3
Create Date: 2026-12-04 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3c2a9e51b4'
down_revision = "5b7e2c9d41a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('duty_rosters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('swap_needs_approval', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_duty_rosters_created_by_id_users')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_duty_rosters_place_id_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_rosters'))
    )
    op.create_table('duty_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], name=op.f('fk_duty_groups_leader_id_users')),
    sa.ForeignKeyConstraint(['roster_id'], ['duty_rosters.id'], name=op.f('fk_duty_groups_roster_id_duty_rosters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_groups'))
    )
    op.create_index(op.f('ix_duty_groups_roster_id'), 'duty_groups', ['roster_id'], unique=False)
    op.create_table('duty_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['roster_id'], ['duty_rosters.id'], name=op.f('fk_duty_shifts_roster_id_duty_rosters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_shifts'))
    )
    op.create_index(op.f('ix_duty_shifts_ends_at'), 'duty_shifts', ['ends_at'], unique=False)
    op.create_index(op.f('ix_duty_shifts_roster_id'), 'duty_shifts', ['roster_id'], unique=False)
    op.create_index(op.f('ix_duty_shifts_starts_at'), 'duty_shifts', ['starts_at'], unique=False)
    op.create_table('duty_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['duty_groups.id'], name=op.f('fk_duty_group_members_group_id_duty_groups')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_duty_group_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_group_members')),
    sa.UniqueConstraint('group_id', 'user_id', name='uq_duty_group_members_group_user')
    )
    op.create_index(op.f('ix_duty_group_members_group_id'), 'duty_group_members', ['group_id'], unique=False)
    op.create_index(op.f('ix_duty_group_members_user_id'), 'duty_group_members', ['user_id'], unique=False)
    op.create_table('duty_shift_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['duty_shifts.id'], name=op.f('fk_duty_shift_people_shift_id_duty_shifts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_duty_shift_people_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_shift_people')),
    sa.UniqueConstraint('shift_id', 'user_id', name='uq_duty_shift_people_shift_user')
    )
    op.create_index(op.f('ix_duty_shift_people_shift_id'), 'duty_shift_people', ['shift_id'], unique=False)
    op.create_index(op.f('ix_duty_shift_people_user_id'), 'duty_shift_people', ['user_id'], unique=False)
    op.create_table('duty_swaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_duty_swaps_from_user_id_users')),
    sa.ForeignKeyConstraint(['shift_id'], ['duty_shifts.id'], name=op.f('fk_duty_swaps_shift_id_duty_shifts')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_duty_swaps_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_swaps'))
    )
    op.create_index(op.f('ix_duty_swaps_from_user_id'), 'duty_swaps', ['from_user_id'], unique=False)
    op.create_index(op.f('ix_duty_swaps_shift_id'), 'duty_swaps', ['shift_id'], unique=False)
    op.create_index(op.f('ix_duty_swaps_to_user_id'), 'duty_swaps', ['to_user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_duty_swaps_to_user_id'), table_name='duty_swaps')
    op.drop_index(op.f('ix_duty_swaps_shift_id'), table_name='duty_swaps')
    op.drop_index(op.f('ix_duty_swaps_from_user_id'), table_name='duty_swaps')
    op.drop_table('duty_swaps')
    op.drop_index(op.f('ix_duty_shift_people_user_id'), table_name='duty_shift_people')
    op.drop_index(op.f('ix_duty_shift_people_shift_id'), table_name='duty_shift_people')
    op.drop_table('duty_shift_people')
    op.drop_index(op.f('ix_duty_group_members_user_id'), table_name='duty_group_members')
    op.drop_index(op.f('ix_duty_group_members_group_id'), table_name='duty_group_members')
    op.drop_table('duty_group_members')
    op.drop_index(op.f('ix_duty_shifts_starts_at'), table_name='duty_shifts')
    op.drop_index(op.f('ix_duty_shifts_roster_id'), table_name='duty_shifts')
    op.drop_index(op.f('ix_duty_shifts_ends_at'), table_name='duty_shifts')
    op.drop_table('duty_shifts')
    op.drop_index(op.f('ix_duty_groups_roster_id'), table_name='duty_groups')
    op.drop_table('duty_groups')
    op.drop_table('duty_rosters')
