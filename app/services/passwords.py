"""Password rules: long enough, not too long to hash, not a common or easily guessed password."""

from functools import lru_cache

MIN_LENGTH = 12
MAX_LENGTH = 128  # every character counts: nothing is truncated before hashing
MIN_SCORE = 2  # zxcvbn's scale of 0 (guessable in a few tries) to 4


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    # Imported on first use: zxcvbn's word lists take tens of megabytes that most workers never need.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *personal: str) -> str | None:
    """Why the password is not acceptable (None when it is); `personal` are the account's name and e-mail."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."
    if password.casefold() in _common():
        return "That password is one of the most common passwords. Choose another."
    # zxcvbn rates at most 72 characters; a longer password is at least as strong as its first 72.
    from zxcvbn import zxcvbn

    if zxcvbn(password[:72], user_inputs=[p for p in personal if p])["score"] < MIN_SCORE:
        return "That password is too easy to guess. A few unrelated words make a strong one."
    return None
