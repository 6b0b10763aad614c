"""A profile photo per person (person_photos)

Revision ID: 4d7a9c2e5b18
Revises: 8b2e4f6a1c37
Create Date: 2026-12-04 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d7a9c2e5b18'
down_revision = '8b2e4f6a1c37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('storage_path', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_person_photos_uploaded_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_person_photos_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_photos')),
    sa.UniqueConstraint('user_id', name=op.f('uq_person_photos_user_id'))
    )


def downgrade():
    op.drop_table('person_photos')
