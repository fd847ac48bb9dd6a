"""The audit log page: every recorded change, newest first, searchable by action and actor."""

from pyramid.view import view_config
from sqlalchemy import select

from tmo.models.accounts import Account
from tmo.models.audit import AuditEntry
from tmo.permissions import Permission
from tmo.services.paging import page_number, paginate
from tmo.services.search import LIKE_ESCAPE, starts_with_pattern


@view_config(
    route_name="audit_log",
    renderer="audit/log.jinja2",
    request_method=("GET", "HEAD"),
    permission=Permission.ADMIN_AUDIT_READ,
)
def audit_log(request):
    action = request.params.get("action", "").strip()[:64]
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.like(starts_with_pattern(action), escape=LIKE_ESCAPE))
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    actor_ids = {entry.actor_id for entry in page.items if entry.actor_id}
    actors = {}
    if actor_ids:
        actors = {
            account.id: account.display_name
            for account in request.dbsession.scalars(
                select(Account).where(Account.id.in_(actor_ids))
            )
        }
    return {"page": page, "action": action, "actors": actors}
