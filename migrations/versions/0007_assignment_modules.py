"""assignments require modules by foreign key; which module needs the policy acknowledged is data

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:45:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Before this revision the confidentiality module's policy rule was written into the code.
POLICY_MODULE = "confidentiality"


def _slugs(value):
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def upgrade():
    op.create_table('assignment_modules',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_modules_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_assignment_modules_module_id_modules')),
    sa.PrimaryKeyConstraint('assignment_id', 'module_id', name=op.f('pk_assignment_modules'))
    )
    with op.batch_alter_table('assignment_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_modules_module_id'), ['module_id'], unique=False)
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('whole_course', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledge_policy', sa.Boolean(), nullable=False, server_default=sa.false()))

    connection = op.get_bind()
    connection.execute(sa.text("UPDATE modules SET acknowledge_policy = :yes WHERE slug = :slug"), {"yes": True, "slug": POLICY_MODULE})
    module_ids = dict(connection.execute(sa.text("SELECT slug, id FROM modules")).all())
    for assignment_id, raw in connection.execute(sa.text("SELECT id, module_slugs FROM assignments")).all():
        slugs = _slugs(raw)
        if not slugs:
            connection.execute(sa.text("UPDATE assignments SET whole_course = :yes WHERE id = :id"), {"yes": True, "id": assignment_id})
        for slug in dict.fromkeys(slugs):
            if slug in module_ids:  # a slug that names no module leaves the requirement short, so it never counts as met
                connection.execute(sa.text("INSERT INTO assignment_modules (assignment_id, module_id) VALUES (:a, :m)"),
                                   {"a": assignment_id, "m": module_ids[slug]})

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('module_slugs')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.alter_column('whole_course', server_default=None)
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.alter_column('acknowledge_policy', server_default=None)


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('module_slugs', sa.JSON(), nullable=False, server_default='[]'))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT am.assignment_id, m.slug FROM assignment_modules am JOIN modules m ON m.id = am.module_id ORDER BY m.position")).all()
    slugs = {}
    for assignment_id, slug in rows:
        slugs.setdefault(assignment_id, []).append(slug)
    for assignment_id, names in slugs.items():
        connection.execute(sa.text("UPDATE assignments SET module_slugs = :s WHERE id = :id"), {"s": json.dumps(names), "id": assignment_id})
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.alter_column('module_slugs', server_default=None)
        batch_op.drop_column('whole_course')
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.drop_column('acknowledge_policy')
    with op.batch_alter_table('assignment_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_modules_module_id'))
    op.drop_table('assignment_modules')
