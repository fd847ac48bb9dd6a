"""Contexts: the object a route acts on, loaded by the route's factory before any view runs.

A factory finds the object named in the path (404 if there is none, or if a second id in the path
does not belong to the first) and refuses with 404 an object the person asking may not know
exists, by asking the security policy for the object's read permission. Views receive the
context, and their permission is decided on it (``tmo.security.permits``): a view never looks at
the object itself to decide who may act on it.
"""

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import Select, bindparam, inspect, select


class Site:
    """The TMO as a whole: the context of every page about no one object (and of the navigation,
    whatever page it is on)."""


SITE = Site()


def site(request) -> Site:
    """The root factory: routes without a factory of their own act on the site."""
    return SITE


# Each model's select by id, built once: a context loads its object on every request, and
# ``Session.get`` builds the select again each time.
_BY_ID: dict[type, Select] = {}


def load(request, model, key: str):
    """The row of ``model`` whose id is the path's ``key``, or 404."""
    by_id = _BY_ID.get(model)
    if by_id is None:
        by_id = _BY_ID[model] = select(model).where(
            inspect(model).primary_key[0] == bindparam("id")
        )
    found = request.dbsession.execute(by_id, {"id": int(request.matchdict[key])}).scalar()
    if found is None:
        raise HTTPNotFound()
    return found


def belonging(child, parent_id_attribute: str, parent) -> None:
    """404 unless ``child`` belongs to ``parent`` (a second id in the path checked against the
    first)."""
    if getattr(child, parent_id_attribute) != parent.id:
        raise HTTPNotFound()


class Context:
    """Base of every object context: the request, and a read permission checked on loading."""

    #: The permission without which the object is a 404; None if anyone may know of it.
    read_permission = None

    def __init__(self, request):
        self.request = request

    def conceal_unless_readable(self) -> None:
        if self.read_permission is not None and not self.request.has_permission(
            self.read_permission, self
        ):
            raise HTTPNotFound()
