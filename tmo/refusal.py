"""The one way tmo says no: a refusal carries the words a person reads, the form field it is about,
and whether what was written before it stands.

Rules and services raise a :class:`Refusal` (or a domain's subclass of it) when what was asked
cannot be done; the one ``FormPage`` shows it on the form, linked from the error summary to its
field, and the actions without a form flash it (see ``tmo.forms``). Unless a refusal says its
writes stand (a failed log-in is counted, say), the transaction is doomed: nothing of the refused
attempt is kept.
"""


class Refusal(Exception):
    """What a person asked for cannot be done, and why, in words for them."""

    #: The field a form shows the message against; None for the form as a whole.
    field: str | None = None
    #: Whether the writes made before the refusal are committed all the same.
    keeps_writes: bool = False

    def __init__(self, message: str, field: str | None = None, *, keeps_writes: bool | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field
        if keeps_writes is not None:
            self.keeps_writes = keeps_writes

    @property
    def message(self) -> str:
        return str(self)
