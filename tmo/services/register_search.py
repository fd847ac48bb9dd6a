"""Searching the register of members: by name, member number, address or postcode, filtered by
status, estate and block, in the order the register is read (by name)."""

from sqlalchemy import or_, select

from tmo.models.membership import Home, Member
from tmo.services.membership import normalise_postcode

REGISTER_STATUSES = (("active", "Current members"), ("former", "Former members"), ("all", "All"))


def register_query(params):
    """The register filtered as the search form asks: (query, the filters as understood)."""
    search = params.get("q", "").strip()[:100]
    status = params.get("status", "active")
    if status not in dict(REGISTER_STATUSES):
        status = "active"
    query = select(Member).join(Home, Member.home_id == Home.id).where(Member.name != "")
    if status == "active":
        query = query.where(Member.ceased_on.is_(None))
    elif status == "former":
        query = query.where(Member.ceased_on.is_not(None))
    estate = params.get("estate", "")
    if estate.isdigit():
        query = query.where(Home.estate_id == int(estate))
    block = params.get("block", "")
    if block.isdigit():
        query = query.where(Home.block_id == int(block))
    if search:
        number = search.upper().removeprefix("M").lstrip("0")
        conditions = [
            Member.name.ilike(f"%{search}%"),
            Member.address.ilike(f"%{search}%"),
            Home.postcode.ilike(f"{normalise_postcode(search)}%"),
        ]
        if number.isdigit():
            conditions.append(Member.member_number == int(number))
        query = query.where(or_(*conditions))
    query = query.order_by(Member.name, Member.member_number)
    filters = {"q": search, "status": status, "estate": estate, "block": block}
    return query, filters
