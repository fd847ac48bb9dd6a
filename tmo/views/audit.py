"""The audit log page: every recorded change, newest first, searchable by action and actor."""

from pyramid.view import view_config

from tmo.permissions import Permission
from tmo.services import audit
from tmo.services.paging import page_number, paginate
from tmo.views import READ


@view_config(
    route_name="audit_log",
    renderer="audit/log.jinja2",
    request_method=READ,
    permission=Permission.ADMIN_AUDIT_READ,
)
def audit_log(request):
    action = request.params.get("action", "").strip()[:64]
    query = audit.entries_query(action)
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "action": action,
        "actors": audit.actor_names(request.dbsession, page.items),
    }
