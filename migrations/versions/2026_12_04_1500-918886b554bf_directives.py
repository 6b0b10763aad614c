"""directives: what must be relayed to which villages and communities by when, and task
logs that relay one (directive_id, people_reached)

Revision ID: 918886b554bf
Revises: b03af895a487
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '918886b554bf'
down_revision = 'b03af895a487'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'directives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('all_places', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_directives_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directives')),
    )
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directives_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directives_due_on'), ['due_on'], unique=False)

    op.create_table(
        'directive_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('directive_id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['directive_id'], ['directives.id'],
                                name=op.f('fk_directive_targets_directive_id_directives')),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_directive_targets_place_id_places')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directive_targets')),
        sa.UniqueConstraint('directive_id', 'place_id', name=op.f('uq_directive_targets_directive_id')),
    )
    with op.batch_alter_table('directive_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directive_targets_directive_id'), ['directive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directive_targets_place_id'), ['place_id'], unique=False)

    with op.batch_alter_table('task_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('directive_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('people_reached', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_task_logs_directive_id'), ['directive_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_task_logs_directive_id_directives'), 'directives',
                                    ['directive_id'], ['id'])


def downgrade():
    with op.batch_alter_table('task_logs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_logs_directive_id_directives'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_task_logs_directive_id'))
        batch_op.drop_column('people_reached')
        batch_op.drop_column('directive_id')

    with op.batch_alter_table('directive_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_targets_place_id'))
        batch_op.drop_index(batch_op.f('ix_directive_targets_directive_id'))
    op.drop_table('directive_targets')
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directives_due_on'))
        batch_op.drop_index(batch_op.f('ix_directives_created_by_id'))
    op.drop_table('directives')
