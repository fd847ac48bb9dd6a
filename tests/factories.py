"""factory_boy factories for the models; each test's session is bound by the ``dbsession``
fixture, and a factory's commit only releases that test's SAVEPOINT."""

from functools import cache

import factory

from tmo.models.accounts import Account, RoleGrant
from tmo.models.meta import utcnow
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
