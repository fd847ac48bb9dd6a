"""The youth worker's list of the forum's members and requests to join (search, filter, paging),
and the decision on a request."""

from pyramid.view import view_config

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.rules import youth as rules
from tmo.rules.youth import MEMBER_LABELS, MemberStatus
from tmo.schemas.youth import MemberDecisionSchema
from tmo.services import notices, youth
from tmo.services.paging import page_number, paginate
from tmo.views import READ


@view_config(
    route_name="youth_members",
    renderer="youth/members.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_MANAGE,
)
def members(request):
    status = request.params.get("status", MemberStatus.APPLIED)
    if status not in MEMBER_LABELS:
        status = MemberStatus.APPLIED
    search = request.params.get("q", "").strip()[:100]
    day = request.today
    constitution = request.constitution
    query = youth.members_query(status, search)
    return {
        "page": paginate(request.dbsession, query, page_number(request.params.get("page"))),
        "status": status,
        "search": search,
        "filters": list(MEMBER_LABELS.items()),
        "ends": lambda m: youth.member_ends(m, constitution),
        "in_forum": lambda m: youth.in_forum(m, constitution, day),
        "notice": lambda m: rules.ageing_out_notice(
            m.date_of_birth, m.left_on, constitution.youth, day
        ),
        "age": lambda m: rules.age_on(m.date_of_birth, day),
    }


@form_page("youth_member", "form.jinja2", Permission.YOUTH_MANAGE)
class MemberPage(FormPage):
    schema = MemberDecisionSchema
    submit_label = "Record the decision"

    @property
    def heading(self):
        return f"Request to join from {youth.full_name(self.context.member)}"

    def back(self):
        return (self.request.route_url("youth_members"), "Back to the members")

    def intro(self):
        m = self.context.member
        age = rules.age_on(m.date_of_birth, self.request.today)
        return [
            f"Age {age} (born {m.date_of_birth:%-d %B %Y}), postcode {m.postcode}.",
            f"Status: {MEMBER_LABELS.get(m.status, m.status)}.",
        ]

    def succeed(self, form, appstruct):
        member = self.context.member
        approve = appstruct["decision"] == "approve"
        youth.decide_application(
            self.request.dbsession,
            self.request.constitution,
            member,
            approve=approve,
            note=appstruct["note"],
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        if approve:
            notices.send(
                self.request,
                kind="youth_welcome",
                template="youth_welcome",
                recipients=[notices.youth_recipient(member)],
                about=member,
                actor_id=self.request.account.id,
                first_name=member.first_name,
                forum_url=self.request.route_url("youth_forum"),
                last_age=self.request.constitution.youth.maximum_age,
                leaves_on=youth.member_ends(member, self.request.constitution),
            )
        name = youth.full_name(member)
        return self.redirect(
            "youth_members",
            f"{name} has joined the forum." if approve else f"{name} was not approved.",
        )
