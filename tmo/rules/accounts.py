"""Password and email rules (NIST SP 800-63B): a length range and a blocklist, no composition
rules."""

import unicodedata
from functools import cache

MINIMUM_PASSWORD_LENGTH = 8
MAXIMUM_PASSWORD_LENGTH = 128
# Words a password may not be, whatever the account: the product and its setting.
CONTEXT_WORDS = ("tmo", "tenant", "tenants", "password", "kensington", "chelsea")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breach lists, as zxcvbn ships them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why ``password`` may not be used, or None if it may."""
    password = normalise_password(password)
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        return f"Your password must be at least {MINIMUM_PASSWORD_LENGTH} characters long."
    if len(password) > MAXIMUM_PASSWORD_LENGTH:
        return f"Your password must be {MAXIMUM_PASSWORD_LENGTH} characters or fewer."
    folded = password.casefold()
    if folded in common_passwords():
        return "This is one of the most common passwords, so it is easy to guess. Choose another."
    if len(set(folded)) < 3:
        return "Your password repeats too few characters. Choose another."
    personal = {email.casefold(), email.split("@")[0].casefold(), display_name.casefold()}
    personal |= set(CONTEXT_WORDS)
    personal.discard("")  # no email or name given: nothing personal to match
    stripped = folded.strip("0123456789!?.-_ ")
    if folded in personal or stripped in personal:
        return "Your password must not be your email address, your name or the name of this site."
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()
