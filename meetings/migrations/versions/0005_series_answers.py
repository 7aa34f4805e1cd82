"""series answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:12:18.514002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('series_attendees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response', sa.Enum('needs_action', 'accepted', 'declined', 'tentative', name='attendeeresponse', native_enum=False, create_constraint=True, length=20), server_default='needs_action', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('series_attendees', schema=None) as batch_op:
        batch_op.drop_constraint('attendeeresponse', type_='check')
        batch_op.drop_column('response')

