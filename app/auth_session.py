"""Loading the signed-in user from the session cookie."""

from app.extensions import db
from app.models import User


def load_user(session_id: str) -> User | None:
    """The account named by a session id "<user id>:<nonce>", if the nonce is still current."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce:
        return None
    return user
