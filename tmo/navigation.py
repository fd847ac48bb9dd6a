"""The layout's links: the navigation's menu and the addresses every page's header and footer
link to. They depend only on the site's address and the roles of the person asking, so they are
built once a process for each, not asked of the routes and the permits on every page."""

from dataclasses import dataclass
from threading import Lock

from markupsafe import Markup
from pyramid.renderers import render

from tmo.contexts import SITE
from tmo.permissions import Permission

# The pages of "Your work", for those whose roles permit them (each permission granted by roles
# alone, which is what lets a menu be kept for a set of roles: see tests/unit/test_navigation).
WORK_PAGES = (
    (Permission.MEMBERSHIP_APPLICATIONS_DECIDE, "applications", "Applications"),
    (Permission.MEMBERSHIP_REGISTER_READ, "member_register", "Register"),
    (Permission.BOARD_MANAGE, "board_manage", "Manage the board"),
    (Permission.MEETINGS_MANAGE, "meetings_manage", "Manage meetings"),
    (Permission.NOTICES_MANAGE, "notices", "Notices"),
    (Permission.MEETINGS_REQUISITIONS_READ, "requisitions", "Requisitions"),
    (Permission.BOARD_INTERESTS_DECLARE, "board_my_interests", "Your interests"),
    (Permission.ELECTIONS_OFFICIATE, "elections_manage", "Run elections"),
    (Permission.YOUTH_READ, "youth_budget", "Youth budget"),
    (Permission.YOUTH_MANAGE, "youth_members", "Youth members"),
    (Permission.ADMIN_PROPERTIES_IMPORT, "properties_import", "Import properties"),
    (Permission.ADMIN_ACCOUNTS_READ, "admin_accounts", "Accounts"),
    (Permission.ADMIN_CONSTITUTION_EDIT, "constitution_edit", "Edit constitution"),
    (Permission.ADMIN_AUDIT_READ, "audit_log", "Audit log"),
)

# The routes the layout links to outside the menu.
ROUTES = (
    "home",
    "needs_you",
    "membership",
    "account",
    "logout",
    "privacy",
    "accessibility",
    "contact",
)

# A Host header is the client's to choose: the links kept are bounded.
MOST_KEPT = 64


@dataclass(frozen=True)
class LayoutLinks:
    urls: dict[str, str]
    stylesheet: str
    icon: str
    menu: Markup


_kept: dict[tuple, LayoutLinks] = {}
_keeping = Lock()


def layout_links(request) -> LayoutLinks:
    """The links of ``request``'s layout, built the first time they are asked for its site
    address and the asker's roles (None for someone not logged in)."""
    roles = request.identity.roles if request.account is not None else None
    key = (request.application_url, roles)
    links = _kept.get(key)
    if links is None:
        links = _build(request, roles)
        with _keeping:
            if len(_kept) >= MOST_KEPT:
                _kept.clear()
            _kept[key] = links
    return links


def _build(request, roles) -> LayoutLinks:
    work = [
        (request.route_url(route), label)
        for permission, route, label in WORK_PAGES
        if roles is not None and request.has_permission(permission, SITE)
    ]
    menu = render("nav_menu.jinja2", {"logged_in": roles is not None, "work": work}, request)
    return LayoutLinks(
        urls={name: request.route_url(name) for name in ROUTES},
        stylesheet=request.static_url("tmo:static/tmo.css"),
        icon=request.static_url("tmo:static/favicon.svg"),
        menu=Markup(menu.strip()),  # noqa: S704 (rendered by an autoescaping template)
    )
