"""Membership: the property register (estates, blocks, homes and their tenancies, as the council's
housing system exports them), applications to join, and the register of members.

A member's register entry keeps the Companies Act s113 fields (name, address, date admitted, date
ceased) for ten years after ceasing; everything else personal can be erased on request.
"""

import re
import unicodedata
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tmo.models.accounts import Account
from tmo.models.meta import Base, StrEnumType, utcnow
from tmo.models.notices import ContactChoice
from tmo.rules.membership import ApplicationStatus


class Estate(Base):
    __tablename__ = "estate"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Block(Base):
    __tablename__ = "block"
    __table_args__ = (UniqueConstraint("estate_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    estate: Mapped[Estate] = relationship()


class Home(Base):
    __tablename__ = "home"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The council's property reference: how a re-import recognises the home.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("block.id"), index=True)
    address_line_1: Mapped[str] = mapped_column(String(200))
    address_line_2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    ward: Mapped[str] = mapped_column(String(80), default="")
    tenure_type: Mapped[str] = mapped_column(String(32))

    estate: Mapped[Estate] = relationship()
    block: Mapped[Block | None] = relationship()
    tenancies: Mapped[list["Tenancy"]] = relationship(
        back_populates="home", order_by="Tenancy.holder_number"
    )

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.postcode]
        return ", ".join(part for part in parts if part)


class Tenancy(Base):
    """One person's hold on a home: a joint tenancy is one row per joint tenant."""

    __tablename__ = "tenancy"
    __table_args__ = (UniqueConstraint("reference", "holder_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))
    holder_number: Mapped[int] = mapped_column(default=1)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    # One of tmo.constitution.TENURES.
    holding: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    home: Mapped[Home] = relationship(back_populates="tenancies")

    def current_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)


class MembershipApplication(ContactChoice, Base):
    """An application to join, with how the applicant wants to be contacted (carried to their
    register entry when admitted). A resident who phoned or came in may have no account: staff
    enter the application for them (``entered_by``)."""

    __tablename__ = "membership_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a resident with no account, whose application staff entered for them.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    holding: Mapped[str] = mapped_column(String(32))
    associate: Mapped[bool] = mapped_column(default=False)
    date_of_birth: Mapped[date | None]
    consented_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # submitted -> admitted | rejected | withdrawn (tmo.rules.membership)
    status: Mapped[ApplicationStatus] = mapped_column(
        StrEnumType(ApplicationStatus, 16), default=ApplicationStatus.SUBMITTED, index=True
    )
    matched_tenancy_id: Mapped[int | None] = mapped_column(ForeignKey("tenancy.id"))
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[datetime | None]
    # The email the applicant gave for TMO business ("" for an applicant online: their
    # account's; or for one with no email at all).
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The staff member who entered it for a resident who phoned or came in.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    entered_by: Mapped[Account | None] = relationship(foreign_keys=[entered_by_id])
    home: Mapped[Home] = relationship()
    matched_tenancy: Mapped[Tenancy | None] = relationship()

    @property
    def email(self) -> str:
        """Where the applicant can be emailed, if anywhere."""
        return self.contact_email or (self.account.email if self.account else "")


# Searching the register (tmo.services.register_search) ---------------------------------------
#
# A member's name and address are also kept as search keys: lower case, accents dropped,
# apostrophes joined ("O'Brien" -> "obrien"), any other punctuation a break between words, one
# space between words. A search matches a key that *starts with* the search, so each key begins
# at a word a secretary may start typing at: the first, second and third word of the name, and
# the name surname first (its last word, then the others: the register's order too); the whole
# address, the address from the block or street on (without "Flat 3" or a
# house number), and from its second part on. A prefix is a range on the key's index (on
# PostgreSQL an index with text_pattern_ops, so the range is by bytes, as on SQLite).

APOSTROPHES = "'\u2018\u2019`\u02bc"
FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room", "maisonette"})
HOUSE_NUMBER = re.compile(r"\d+[a-z]?")
UK_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")
SEARCH_NAME_LENGTH = 200
SEARCH_ADDRESS_LENGTH = 420


def search_words(text_: str) -> list[str]:
    """The words of a name, an address or a search, as they are compared."""
    decomposed = unicodedata.normalize("NFKD", text_ or "")
    plain = "".join(
        char for char in decomposed if not unicodedata.combining(char) and char not in APOSTROPHES
    )
    return re.findall(r"[^\W_]+", plain.casefold())


def search_key(text_: str) -> str:
    """A name, address or search as a key: its words, one space between them."""
    return " ".join(search_words(text_))


def _key(words: list[str], length: int) -> str | None:
    return " ".join(words)[:length] or None


def name_search_keys(name: str) -> dict[str, str | None]:
    words = search_words(name)
    return {
        "search_name": _key(words, SEARCH_NAME_LENGTH),
        "search_name_2": _key(words[1:], SEARCH_NAME_LENGTH),
        "search_name_3": _key(words[2:], SEARCH_NAME_LENGTH),
        # Surname first ("okafor dorothy"): "Okafor Dorothy" finds Dorothy Okafor, and the
        # register is read in this order (by surname, then forenames).
        "search_name_last": _key(words[-1:] + words[:-1], SEARCH_NAME_LENGTH),
    }


def _without_flat_or_number(words: list[str]) -> list[str]:
    if len(words) > 1 and words[0] in FLAT_WORDS:
        words = words[2:]
    while words and HOUSE_NUMBER.fullmatch(words[0]):
        words = words[1:]
    return words


def address_search_keys(address: str) -> dict[str, str | None]:
    parts = [words for part in (address or "").split(",") if (words := search_words(part))]
    every_word = [word for part in parts for word in part]
    # The place is the block or street, after the flat or house number (in its own part or not);
    # the street, the part after the place.
    place: list[str] = []
    street: list[str] = []
    for index, part in enumerate(parts):
        if start := _without_flat_or_number(part):
            street = [word for rest in parts[index + 1 :] for word in rest]
            place = start + street
            break
    postcode = re.sub(r"\s+", "", (address or "").rsplit(",", 1)[-1]).upper()
    return {
        "search_address": _key(every_word, SEARCH_ADDRESS_LENGTH),
        "search_place": _key(place, SEARCH_ADDRESS_LENGTH) if place != every_word else None,
        "search_street": _key(street, SEARCH_ADDRESS_LENGTH),
        "search_postcode": (
            f"{postcode[:-3]} {postcode[-3:]}".lower() if UK_POSTCODE.fullmatch(postcode) else None
        ),
    }


def member_search_keys(name: str, address: str) -> dict[str, str | None]:
    """Every search key of a register entry (for bulk inserts, which skip ``Member``'s own)."""
    return name_search_keys(name) | address_search_keys(address)


def _search_key(length: int):
    # Deferred: only searches read them, and loading a member (or sorting a page of them) is
    # cheaper without.
    return mapped_column(String(length), deferred=True, deferred_group="search_keys")


def _prefix_index(name: str, *columns: str) -> Index:
    # text_pattern_ops: PostgreSQL compares by bytes (~>=~, ~<~), whatever the collation.
    return Index(name, *columns, postgresql_ops={columns[0]: "text_pattern_ops"})


class Member(ContactChoice, Base):
    """An entry in the register of members (Companies Act 2006 s113)."""

    __tablename__ = "member"
    __table_args__ = (
        # One active membership per account.
        Index(
            "uq_member_active_account",
            "account_id",
            unique=True,
            sqlite_where=text("ceased_on IS NULL"),
            postgresql_where=text("ceased_on IS NULL"),
        ),
        # The register as it is read: by status, then by surname and forenames; the postcode for
        # a prefix search read along it.
        Index(
            "ix_member_register",
            "ceased_on",
            "search_name_last",
            "member_number",
            "search_postcode",
        ),
        # An estate's or block's members, counted without reading their rows.
        Index("ix_member_home_id", "home_id", "ceased_on", "name"),
        _prefix_index("ix_member_search_name", "search_name"),
        _prefix_index("ix_member_search_name_2", "search_name_2"),
        _prefix_index("ix_member_search_name_3", "search_name_3"),
        _prefix_index("ix_member_search_name_last", "search_name_last"),
        _prefix_index("ix_member_search_address", "search_address"),
        _prefix_index("ix_member_search_place", "search_place"),
        _prefix_index("ix_member_search_street", "search_street"),
        _prefix_index("ix_member_search_postcode", "search_postcode", "ceased_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[int] = mapped_column(unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    tenancy_id: Mapped[int | None] = mapped_column(ForeignKey("tenancy.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("membership_application.id"))
    # The s113 fields, kept as admitted so the register reads the same after a move or erasure.
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(420))
    admitted_on: Mapped[date]
    ceased_on: Mapped[date | None] = mapped_column(index=True)
    associate: Mapped[bool] = mapped_column(default=False)
    ceased_reason: Mapped[str] = mapped_column(String(32), default="")
    ceased_note: Mapped[str] = mapped_column(String(500), default="")
    # Personal data beyond s113: erasable on request.
    date_of_birth: Mapped[date | None]
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    erased_at: Mapped[datetime | None]
    # Search keys (see member_search_keys), kept by _keep_search_keys whenever name or address
    # is set: nobody sets them by hand.
    search_name: Mapped[str | None] = _search_key(SEARCH_NAME_LENGTH)
    search_name_2: Mapped[str | None] = _search_key(SEARCH_NAME_LENGTH)
    search_name_3: Mapped[str | None] = _search_key(SEARCH_NAME_LENGTH)
    search_name_last: Mapped[str | None] = _search_key(SEARCH_NAME_LENGTH)
    search_address: Mapped[str | None] = _search_key(SEARCH_ADDRESS_LENGTH)
    search_place: Mapped[str | None] = _search_key(SEARCH_ADDRESS_LENGTH)
    search_street: Mapped[str | None] = _search_key(SEARCH_ADDRESS_LENGTH)
    search_postcode: Mapped[str | None] = _search_key(10)

    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    home: Mapped[Home] = relationship()
    tenancy: Mapped[Tenancy | None] = relationship()

    @validates("name", "address")
    def _keep_search_keys(self, key: str, value: str) -> str:
        keys = name_search_keys(value) if key == "name" else address_search_keys(value)
        for column, search_value in keys.items():
            setattr(self, column, search_value)
        return value

    @property
    def is_active(self) -> bool:
        return self.ceased_on is None

    @property
    def purged(self) -> bool:
        """Kept past its retention period: only the number and the dates remain."""
        return self.name == ""

    @property
    def number_label(self) -> str:
        return f"M{self.member_number:06d}"
