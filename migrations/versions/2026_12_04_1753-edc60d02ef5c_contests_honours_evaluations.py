"""Contests with their entrants and results, honours, interest teams with members and events;
four-sided evaluation rounds with marks, notes, residents' vote links and ballots

Revision ID: edc60d02ef5c
Revises: d648b3cdb574
Create Date: 2026-12-04 17:53:25.939065

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'edc60d02ef5c'
down_revision = 'd648b3cdb574'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interest_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_interest_teams_name'))
    )
    op.create_table('contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contests_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contests'))
    )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contests_held_on'), ['held_on'], unique=False)

    op.create_table('evaluation_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('team', sa.String(length=32), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('vote_minimum', sa.Integer(), nullable=False),
    sa.Column('excellent_share', sa.Integer(), nullable=False),
    sa.Column('bonus_cap', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_rounds_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_rounds'))
    )
    op.create_table('interest_team_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_interest_team_events_place_id_places')),
    sa.ForeignKeyConstraint(['team_id'], ['interest_teams.id'], name=op.f('fk_interest_team_events_team_id_interest_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_team_events'))
    )
    with op.batch_alter_table('interest_team_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_team_events_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_team_events_team_id'), ['team_id'], unique=False)

    op.create_table('interest_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['interest_teams.id'], name=op.f('fk_interest_team_members_team_id_interest_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interest_team_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_team_members')),
    sa.UniqueConstraint('team_id', 'user_id', name='uq_interest_team_members_team_id')
    )
    with op.batch_alter_table('interest_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_team_members_user_id'), ['user_id'], unique=False)

    op.create_table('contest_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_entries_contest_id_contests')),
    sa.ForeignKeyConstraint(['team_id'], ['interest_teams.id'], name=op.f('fk_contest_entries_team_id_interest_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contest_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_entries'))
    )
    with op.batch_alter_table('contest_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_entries_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contest_entries_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contest_entries_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_evaluation_marks_marked_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_evaluation_marks_person_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_rounds.id'], name=op.f('fk_evaluation_marks_round_id_evaluation_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_marks')),
    sa.UniqueConstraint('round_id', 'person_id', 'side', name='uq_evaluation_marks_round_id')
    )
    with op.batch_alter_table('evaluation_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_marks_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_marks_round_id'), ['round_id'], unique=False)

    op.create_table('evaluation_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('daily', sa.String(length=2000), nullable=True),
    sa.Column('extra', sa.String(length=2000), nullable=True),
    sa.Column('bonus', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_evaluation_notes_person_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_rounds.id'], name=op.f('fk_evaluation_notes_round_id_evaluation_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_notes')),
    sa.UniqueConstraint('round_id', 'person_id', name='uq_evaluation_notes_round_id')
    )
    with op.batch_alter_table('evaluation_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_notes_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_notes_round_id'), ['round_id'], unique=False)

    op.create_table('evaluation_vote_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_evaluation_vote_links_place_id_places')),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_rounds.id'], name=op.f('fk_evaluation_vote_links_round_id_evaluation_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_vote_links')),
    sa.UniqueConstraint('round_id', 'place_id', name='uq_evaluation_vote_links_round_id'),
    sa.UniqueConstraint('token', name=op.f('uq_evaluation_vote_links_token'))
    )
    with op.batch_alter_table('evaluation_vote_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_vote_links_round_id'), ['round_id'], unique=False)

    op.create_table('evaluation_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('voter_hash', sa.String(length=64), nullable=False),
    sa.Column('cast_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['evaluation_vote_links.id'], name=op.f('fk_evaluation_ballots_link_id_evaluation_vote_links')),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_rounds.id'], name=op.f('fk_evaluation_ballots_round_id_evaluation_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_ballots')),
    sa.UniqueConstraint('round_id', 'voter_hash', name='uq_evaluation_ballots_round_id')
    )
    with op.batch_alter_table('evaluation_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_ballots_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_ballots_round_id'), ['round_id'], unique=False)

    op.create_table('honours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['contest_entries.id'], name=op.f('fk_honours_entry_id_contest_entries')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_honours_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['interest_teams.id'], name=op.f('fk_honours_team_id_interest_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_honours_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honours')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_honours_entry_id'))
    )
    with op.batch_alter_table('honours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honours_awarded_on'), ['awarded_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_honours_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_honours_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_ballot_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['evaluation_ballots.id'], name=op.f('fk_evaluation_ballot_ratings_ballot_id_evaluation_ballots')),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_evaluation_ballot_ratings_person_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_ballot_ratings'))
    )
    with op.batch_alter_table('evaluation_ballot_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_ballot_ratings_ballot_id'), ['ballot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_ballot_ratings_person_id'), ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_ballot_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_ballot_ratings_person_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_ballot_ratings_ballot_id'))

    op.drop_table('evaluation_ballot_ratings')
    with op.batch_alter_table('honours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honours_user_id'))
        batch_op.drop_index(batch_op.f('ix_honours_team_id'))
        batch_op.drop_index(batch_op.f('ix_honours_awarded_on'))

    op.drop_table('honours')
    with op.batch_alter_table('evaluation_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_ballots_round_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_ballots_link_id'))

    op.drop_table('evaluation_ballots')
    with op.batch_alter_table('evaluation_vote_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_vote_links_round_id'))

    op.drop_table('evaluation_vote_links')
    with op.batch_alter_table('evaluation_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_notes_round_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_notes_person_id'))

    op.drop_table('evaluation_notes')
    with op.batch_alter_table('evaluation_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_marks_round_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_marks_person_id'))

    op.drop_table('evaluation_marks')
    with op.batch_alter_table('contest_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_contest_entries_team_id'))
        batch_op.drop_index(batch_op.f('ix_contest_entries_contest_id'))

    op.drop_table('contest_entries')
    with op.batch_alter_table('interest_team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_team_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_interest_team_members_team_id'))

    op.drop_table('interest_team_members')
    with op.batch_alter_table('interest_team_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_team_events_team_id'))
        batch_op.drop_index(batch_op.f('ix_interest_team_events_held_on'))

    op.drop_table('interest_team_events')
    op.drop_table('evaluation_rounds')
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contests_held_on'))

    op.drop_table('contests')
    op.drop_table('interest_teams')
