"""directive_attachments: PDFs and pictures a leader sends with a directive, files under
PHOTO_DIR named by their UUID

Revision ID: 6e140b423dca
Revises: 918886b554bf
Create Date: 2026-12-04 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e140b423dca'
down_revision = '918886b554bf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'directive_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('directive_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('storage_path', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['directive_id'], ['directives.id'],
                                name=op.f('fk_directive_attachments_directive_id_directives')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_directive_attachments_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directive_attachments')),
        sa.UniqueConstraint('uuid', name=op.f('uq_directive_attachments_uuid')),
    )
    with op.batch_alter_table('directive_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directive_attachments_directive_id'), ['directive_id'], unique=False)


def downgrade():
    with op.batch_alter_table('directive_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_attachments_directive_id'))
    op.drop_table('directive_attachments')
