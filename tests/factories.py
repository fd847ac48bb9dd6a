"""factory_boy factories for the models; each test's session is bound by the ``dbsession``
fixture, and a factory's commit only releases that test's SAVEPOINT."""

from datetime import UTC, date, datetime, timedelta
from functools import cache

import factory

from tmo.models.accounts import Account, RoleGrant
from tmo.models.membership import Estate, Home, Member, Tenancy
from tmo.models.meta import utcnow
from tmo.models.youth import YouthMember
from tmo.rules.notices import Channel
from tmo.services.accounts import hash_password

PASSWORD = "plum-tree-estate-41"

_FACTORIES = []


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def bind(session) -> None:
    for model_factory in _FACTORIES:
        model_factory._meta.sqlalchemy_session = session


def registered(cls):
    _FACTORIES.append(cls)
    return cls


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


@registered
class AccountFactory(BaseFactory):
    class Meta:
        model = Account

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="en_GB")
    password_hash = factory.LazyFunction(password_hash)
    email_verified_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        # Committed by factory_boy after post-generation (persistence "commit").
        for role in extracted or ():
            self.role_grants.append(RoleGrant(role=role))


@registered
class EstateFactory(BaseFactory):
    class Meta:
        model = Estate

    name = factory.Sequence(lambda n: f"Estate {n}")


@registered
class HomeFactory(BaseFactory):
    class Meta:
        model = Home

    reference = factory.Sequence(lambda n: f"P{n:06d}")
    estate = factory.SubFactory(EstateFactory)
    address_line_1 = factory.Sequence(lambda n: f"Flat {n} Elm House")
    address_line_2 = "Golborne Road, London"
    postcode = "W10 5PA"
    ward = "Golborne"
    tenure_type = "Secure"


@registered
class TenancyFactory(BaseFactory):
    class Meta:
        model = Tenancy

    reference = factory.Sequence(lambda n: f"T{n:06d}")
    holder_number = 1
    home = factory.SubFactory(HomeFactory)
    holder_name = "Ruth Adeyemi"
    holding = "secure_tenant"
    start_date = date(2010, 4, 1)


@registered
class MemberFactory(BaseFactory):
    class Meta:
        model = Member

    member_number = factory.Sequence(lambda n: 1000 + n)
    tenancy = factory.SubFactory(TenancyFactory)
    home = factory.SelfAttribute("tenancy.home")
    name = factory.SelfAttribute("tenancy.holder_name")
    address = factory.LazyAttribute(lambda member: member.home.address)
    admitted_on = date(2020, 5, 1)
    # Members made for a test have agreed to notices by email (those with no email on record
    # are still reached by post); a test of letters says otherwise.
    contact_by = Channel.EMAIL
    email_agreed_at = datetime(2020, 5, 1, tzinfo=UTC)


@registered
class YouthMemberFactory(BaseFactory):
    """An approved Youth Forum member, 15 years old (and so shown by first name only)."""

    class Meta:
        model = YouthMember

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Sequence(lambda n: f"Young{n}")
    surname = "Okafor"
    date_of_birth = factory.LazyFunction(lambda: date(date.today().year - 15, 1, 1))
    postcode = "W10 5PA"
    status = "approved"
    # Members made for a test take the forum's messages by email, to their account.
    contact_by = Channel.EMAIL
    email_agreed_at = datetime(2020, 5, 1, tzinfo=UTC)
    approved_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
