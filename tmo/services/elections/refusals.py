"""What the election service refuses: one refusal type, and the two a cast can meet."""

from tmo.refusal import Refusal


class ElectionError(Refusal):
    """A change refused; the message says why, in words the person can act on."""


class AlreadyVoted(ElectionError):
    pass


class NotOnRoll(ElectionError):
    pass
