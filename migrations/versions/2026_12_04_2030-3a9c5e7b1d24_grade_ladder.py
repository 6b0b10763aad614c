"""三岗十八级: community workers' posts and service start, and the grade changes confirmed

Revision ID: 3a9c5e7b1d24
Revises: fb18c2668fa6
Create Date: 2026-12-04 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a9c5e7b1d24'
down_revision = 'fb18c2668fa6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grade_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=16), nullable=False),
    sa.Column('service_start', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grade_posts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_posts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_grade_posts_user_id'))
    )
    op.create_table('grade_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('from_grade', sa.Integer(), nullable=True),
    sa.Column('to_grade', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_grade_changes_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grade_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_changes'))
    )
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_changes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_changes_user_id'))

    op.drop_table('grade_changes')
    op.drop_table('grade_posts')
