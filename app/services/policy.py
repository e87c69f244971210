"""The organisation's confidentiality policy: versions, and each hire's acknowledgement of the current one."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attestation, Membership, Organisation, PolicyVersion, User


def current_version(organisation_id: int) -> PolicyVersion | None:
    """The newest version of the organisation's policy, if it has one."""
    return db.session.scalar(select(PolicyVersion).where(PolicyVersion.organisation_id == organisation_id)
                             .order_by(PolicyVersion.version.desc()).limit(1))


def publish(organisation: Organisation, manager: User, text: str) -> PolicyVersion:
    """Save the text as the next version; every hire must acknowledge it again."""
    latest = db.session.scalar(select(func.max(PolicyVersion.version)).where(PolicyVersion.organisation_id == organisation.id))
    version = PolicyVersion(organisation_id=organisation.id, version=(latest or 0) + 1, text=text.strip(), created_by=manager.id)
    db.session.add(version)
    db.session.flush()
    return version


def needs_attestation(user: User, organisation_id: int) -> PolicyVersion | None:
    """The current policy version this hire has not yet acknowledged, if any."""
    version = current_version(organisation_id)
    if version is None:
        return None
    done = db.session.scalar(select(Attestation.id).where(Attestation.user_id == user.id, Attestation.policy_version_id == version.id))
    return None if done else version


def pending_for(user: User) -> list[tuple[Organisation, PolicyVersion]]:
    """Every organisation this person is a hire of whose current policy they have not acknowledged."""
    organisations = db.session.scalars(select(Organisation).join(Membership).where(
        Membership.user_id == user.id, Membership.kind == "hire", Membership.removed_at.is_(None)))
    pending = []
    for organisation in organisations:
        version = needs_attestation(user, organisation.id)
        if version is not None:
            pending.append((organisation, version))
    return pending


def attest(user: User, version: PolicyVersion) -> Attestation:
    """Record the acknowledgement of this version (once; a repeat keeps the first time)."""
    existing = db.session.scalar(select(Attestation).where(Attestation.user_id == user.id, Attestation.policy_version_id == version.id))
    if existing:
        return existing
    attestation = Attestation(user_id=user.id, policy_version_id=version.id)
    try:
        with db.session.begin_nested():
            db.session.add(attestation)
    except IntegrityError:
        return attest(user, version)
    return attestation


def acknowledgements(organisation_id: int, user_id: int | None = None) -> list[tuple[User, PolicyVersion, Attestation]]:
    """Who acknowledged which version of the organisation's policy and when (one hire's, if given), newest first."""
    query = select(User, PolicyVersion, Attestation).join(Attestation, Attestation.user_id == User.id) \
        .join(PolicyVersion, PolicyVersion.id == Attestation.policy_version_id) \
        .join(Membership, (Membership.user_id == User.id) & (Membership.organisation_id == organisation_id)) \
        .where(PolicyVersion.organisation_id == organisation_id, Membership.kind == "hire")
    if user_id is not None:
        query = query.where(User.id == user_id)
    return [tuple(row) for row in db.session.execute(query.order_by(Attestation.at.desc(), Attestation.id.desc()))]


def not_acknowledged(organisation_id: int) -> list[User]:
    """The current hires who have not acknowledged the current version."""
    version = current_version(organisation_id)
    if version is None:
        return []
    done = select(Attestation.user_id).where(Attestation.policy_version_id == version.id)
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organisation_id == organisation_id, Membership.kind == "hire", Membership.removed_at.is_(None),
        User.id.not_in(done)).order_by(User.display_name, User.id)))
