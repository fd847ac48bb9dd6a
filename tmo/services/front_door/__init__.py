"""What needs a person now: the lines of their front door, gathered for the roles they hold.

Each part asks the database a fixed number of aggregate questions, whatever the number of
elections, meetings, applications or proposals: the page costs the same with ten rows as with ten
thousand. A line is a plain value (what, where to act, how many, by when); ``waiting`` counts what
asks the person to act, and the navigation shows the sum.
"""

from tmo.permissions import Role
from tmo.services.front_door.board import board
from tmo.services.front_door.elections import officiating
from tmo.services.front_door.lines import FrontDoor, Group, Line
from tmo.services.front_door.members import membership
from tmo.services.front_door.secretary import secretary
from tmo.services.front_door.youth import youth_member, youth_worker

__all__ = ["FrontDoor", "Group", "Line", "front_door"]


def front_door(request) -> FrontDoor:
    """The front door of the person logged in to ``request`` (none for someone who is not)."""
    identity = request.identity
    if not identity:
        return FrontDoor([])
    roles = identity.roles
    parts = [membership(request, identity)]
    if Role.DIRECTOR in roles or Role.CHAIR in roles:
        parts.append(board(request, identity))
    if Role.SECRETARY in roles:
        parts.append(secretary(request))
    if Role.RETURNING_OFFICER in roles or Role.SCRUTINEER in roles:
        parts.append(officiating(request, identity))
    if Role.YOUTH_MEMBER in roles or identity.youth_member is not None:
        parts.append(youth_member(request, identity))
    if Role.YOUTH_WORKER in roles:
        parts.append(youth_worker(request))
    return FrontDoor([group for group in parts if group.lines])
