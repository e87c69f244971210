"""Course-completion certificates

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_holder_id', sa.Integer(), nullable=True))
        batch_op.alter_column('hire_training_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_course_holder_id'), ['course_holder_id'])
        batch_op.create_foreign_key(batch_op.f('fk_certificates_course_holder_id_users'), 'users', ['course_holder_id'], ['id'])
        batch_op.create_check_constraint('proves_one_thing', '(hire_training_id IS NULL) <> (course_holder_id IS NULL)')


def downgrade():
    # Course certificates have no training cycle to hang on in the old schema: refuse rather than lose them.
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM certificates WHERE hire_training_id IS NULL")).scalar()
    if held:
        raise RuntimeError(f"{held} course-completion certificates exist; the older schema cannot hold them")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificates_proves_one_thing'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_certificates_course_holder_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_certificates_course_holder_id'), type_='unique')
        batch_op.alter_column('hire_training_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('course_holder_id')
