"""The secretary's meetings page (bodies, minutes to finish, open actions, requisitions), adding
and changing a body, its members and their seats' ends, and scheduling a meeting of it."""

from datetime import datetime, time

from pyramid.view import view_config

from tmo.clock import LONDON
from tmo.forms import form_page
from tmo.permissions import Permission
from tmo.rules import meetings as rules
from tmo.schemas import meetings as schemas
from tmo.services import board as board_service
from tmo.services import meetings
from tmo.views import READ
from tmo.views.meetings import LABELS, SecretaryPage, chosen_id


@view_config(
    route_name="meetings_manage",
    renderer="meetings/manage.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_MANAGE,
)
def manage(request):
    dbsession = request.dbsession
    requisitions = meetings.requisitions(dbsession)
    return {
        "bodies": meetings.bodies(dbsession),
        "drafts": meetings.unsigned(dbsession),
        "open_actions": meetings.open_actions(dbsession),
        "requisitions": requisitions,
        "called": {r.id: meetings.called_meeting(dbsession, r) for r in requisitions},
        "threshold": meetings.requisition_threshold(dbsession, request.constitution, request.today),
        "general": meetings.general_meeting_body(dbsession),
        "today": request.today,
        **LABELS,
    }


@form_page("meetings_body_new", "form.jinja2", Permission.MEETINGS_MANAGE)
class BodyNewPage(SecretaryPage):
    submit_label = "Add the body"
    heading = "Add a body"

    def make_schema(self):
        parents = meetings.bodies(self.request.dbsession)
        return schemas.body_schema(parents).bind(request=self.request)

    def succeed(self, form, appstruct):
        body = meetings.add_body(
            self.request.dbsession,
            name=appstruct["name"],
            kind=appstruct["kind"],
            parent_id=chosen_id(appstruct["parent"]),
            terms_of_reference=appstruct["terms_of_reference"],
            quorum_number=appstruct["quorum_number"],
            quorum_of=appstruct["quorum_of"],
            actor_id=self.request.account.id,
        )
        return self.redirect("meetings_body_manage", f"{body.name} is added.", body_id=body.id)


class BodyPage(SecretaryPage):
    """A secretary's form about one body, the context's."""

    def back(self):
        body = self.context.body
        return self.request.route_url(
            "meetings_body_manage", body_id=body.id
        ), f"Back to {body.name}"


@form_page("meetings_body_edit", "form.jinja2", Permission.MEETINGS_MANAGE)
class BodyEditPage(BodyPage):
    submit_label = "Save the changes"

    @property
    def heading(self):
        return f"Change {self.context.body.name}"

    def make_schema(self):
        parents = meetings.bodies(self.request.dbsession, besides=self.context.body)
        return schemas.body_schema(parents, with_kind=False).bind(request=self.request)

    def initial(self):
        body = self.context.body
        return {
            "name": body.name,
            "parent": str(body.parent_id or ""),
            "terms_of_reference": body.terms_of_reference,
            "quorum_number": body.quorum_number,
            "quorum_of": body.quorum_of,
        }

    def succeed(self, form, appstruct):
        body = self.context.body
        meetings.update_body(
            self.request.dbsession,
            body,
            name=appstruct["name"],
            parent_id=chosen_id(appstruct["parent"]),
            terms_of_reference=appstruct["terms_of_reference"],
            quorum_number=appstruct["quorum_number"],
            quorum_of=appstruct["quorum_of"],
            actor_id=self.request.account.id,
        )
        return self.redirect("meetings_body_manage", "The changes are saved.", body_id=body.id)


@form_page("meetings_body_manage", "meetings/body_manage.jinja2", Permission.MEETINGS_MANAGE)
class BodyManagePage(SecretaryPage):
    """A body's members, attendance statistics and meetings; the form adds a member."""

    submit_label = "Add the member"
    default_field = "role"

    @property
    def heading(self):
        return self.context.body.name

    @property
    def general(self) -> bool:
        return self.context.body.kind == rules.GENERAL_MEETING

    def make_schema(self):
        directors = board_service.serving_directors(self.request.dbsession, self.request.today)
        return schemas.member_schema(directors).bind(request=self.request)

    def initial(self):
        return {"from_date": self.request.today}

    def extra(self):
        dbsession, body = self.request.dbsession, self.context.body
        return {
            "body": body,
            "people": meetings.participants(dbsession, body, self.request.today),
            "meetings": list(reversed(meetings.meetings_of(dbsession, body)))[:50],
            "statistics": meetings.attendance_statistics(dbsession, body, self.request.now),
            "general": self.general,
            **LABELS,
        }

    def get(self):
        if self.general:
            # Every member of the TMO belongs to the general meeting: nobody is added by hand.
            return self.page(None, "")
        return super().get()

    def succeed(self, form, appstruct):
        body = self.context.body
        meetings.add_body_member(
            self.request.dbsession,
            body,
            director_id=chosen_id(appstruct["director"]),
            name=appstruct["name"],
            role=appstruct["role"],
            from_date=appstruct["from_date"],
            to_date=appstruct["to_date"],
            email=appstruct["email"],
            actor_id=self.request.account.id,
        )
        return self.redirect("meetings_body_manage", "The member is added.", body_id=body.id)


@form_page("meetings_body_member_end", "form.jinja2", Permission.MEETINGS_MANAGE)
class MemberEndPage(BodyPage):
    submit_label = "End the membership"
    default_field = "to_date"

    @property
    def heading(self):
        seat = self.context.seat
        return f"End {seat.name}'s membership of {seat.body.name}"

    def make_schema(self):
        return schemas.member_end_schema().bind(request=self.request)

    def initial(self):
        return {"to_date": self.request.today}

    def succeed(self, form, appstruct):
        seat = self.context.seat
        meetings.end_body_member(
            self.request.dbsession,
            seat,
            to_date=appstruct["to_date"],
            actor_id=self.request.account.id,
        )
        return self.redirect(
            "meetings_body_manage",
            f"{seat.name}'s membership ends on {appstruct['to_date']:%-d %B %Y}.",
            body_id=seat.body_id,
        )


@form_page("meetings_schedule", "form.jinja2", Permission.MEETINGS_MANAGE)
class SchedulePage(BodyPage):
    submit_label = "Schedule and send the notice"
    default_field = "day"

    @property
    def heading(self):
        return f"Schedule a meeting of {self.context.body.name}"

    @property
    def general(self) -> bool:
        return self.context.body.kind == rules.GENERAL_MEETING

    def kinds(self):
        if self.general:
            return [(k, v) for k, v in rules.MEETING_KINDS.items() if k != rules.ORDINARY]
        return [(rules.ORDINARY, rules.MEETING_KINDS[rules.ORDINARY])]

    def open_requisitions(self):
        if not self.general:
            return []
        return [
            (str(r.id), f"Requisition {r.id}: call by {r.call_by:%-d %B %Y}")
            for r in meetings.requisitions_to_call(self.request.dbsession)
        ]

    def make_schema(self):
        return schemas.schedule_schema(self.kinds(), self.open_requisitions()).bind(
            request=self.request
        )

    def initial(self):
        requisition = self.request.params.get("requisition", "")
        return {"requisition": requisition} if requisition.isdigit() else {}

    def intro(self):
        notice_rules = self.request.constitution.meetings
        counted = ""
        if self.general:
            notice = f"at least {notice_rules.general_meeting_notice_clear_days} clear days"
            delivery = self.request.constitution.notices
            counted = (
                " They are counted from the day the notice is deemed delivered: a letter "
                f"{delivery.post_delivery_hours} working hours after it is posted, an email "
                f"{delivery.email_delivery_hours} after it is sent (Companies Act 2006 s1147)."
            )
        elif self.context.body.kind == rules.BOARD:
            notice = f"{notice_rules.board_notice_days} days"
        else:
            notice = f"{notice_rules.committee_notice_days} days"
        return [
            f"The constitution requires {notice}' notice.{counted} The notice goes to every "
            "member of the body when you schedule the meeting: by email, or by post to those who "
            "chose letters."
        ]

    def succeed(self, form, appstruct):
        hour, minute = (int(part) for part in appstruct["time"].split(":"))
        meeting, reach = meetings.schedule_meeting(
            self.request,
            self.context.body,
            title=appstruct["title"],
            kind=appstruct.get("kind", rules.ORDINARY),
            starts_at=datetime.combine(appstruct["day"], time(hour, minute), tzinfo=LONDON),
            place=appstruct["place"],
            online_link=appstruct["online_link"],
            requisition_id=chosen_id(appstruct.get("requisition", "")),
        )
        message = f"The meeting is scheduled. Its notice: {reach.summary()}"
        if reach.to_post:
            deadline = meetings.letters_deadline(self.request, self.context.body, appstruct["day"])
            message = f"{message} {deadline}"
        return self.redirect("meetings_run", message, meeting_id=meeting.id)
