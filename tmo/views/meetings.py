"""Meetings pages: the public list of bodies, meetings and published minutes (never a confidential
item), calendar feeds; the secretary's bodies, scheduling, agendas and the record kept at the
meeting; the minutes' lifecycle (circulate, approve at the next meeting, sign); requisitions."""

from datetime import date, datetime

from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import select

from tmo.forms import FormPage, form_page
from tmo.models.board import Director
from tmo.models.meetings import (
    AgendaItem,
    AgendaPaper,
    Body,
    BodyMember,
    Meeting,
    MeetingAction,
    Requisition,
)
from tmo.permissions import Permission
from tmo.rules import meetings as rules
from tmo.schemas import meetings as schemas
from tmo.schemas.files import read_upload
from tmo.services import board as board_service
from tmo.services import meetings
from tmo.services.files import download
from tmo.services.meetings import MeetingError
from tmo.services.membership import active_membership
from tmo.services.paging import page_number, paginate
from tmo.services.pdf import pdf_response, render_pdf

READ = ("GET", "HEAD")
LABELS = {
    "body_kinds": rules.BODY_KINDS,
    "member_roles": rules.MEMBER_ROLES,
    "meeting_kinds": rules.MEETING_KINDS,
    "attendance_labels": rules.ATTENDANCE,
    "minutes_states": rules.MINUTES_STATES,
}


def found(dbsession, model, request, key):
    thing = dbsession.get(model, int(request.matchdict[key]))
    if thing is None:
        raise HTTPNotFound()
    return thing


def london_day(moment: datetime) -> date:
    return meetings.london_day(moment)


# -- Public pages --------------------------------------------------------------------------------


@view_config(
    route_name="meetings",
    renderer="meetings/index.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def index(request):
    q = request.params.get("q", "")
    page = paginate(
        request.dbsession, meetings.published_query(q), page_number(request.params.get("page"))
    )
    bodies = request.dbsession.scalars(select(Body).order_by(Body.name)).all()
    return {
        "bodies": bodies,
        "upcoming": meetings.upcoming(request.dbsession),
        "page": page,
        "q": q[:200],
        **LABELS,
    }


@view_config(
    route_name="meetings_body",
    renderer="meetings/body.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def body_page(request):
    body = found(request.dbsession, Body, request, "body_id")
    query = (
        select(Meeting)
        .where(Meeting.body_id == body.id, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at.desc())
    )
    today = meetings.today()
    people = meetings.participants(request.dbsession, body, today)
    return {
        "body": body,
        "page": paginate(request.dbsession, query, page_number(request.params.get("page"))),
        # The general meeting is every member; young people's names are never public.
        "people": [] if body.kind in (rules.GENERAL_MEETING, rules.YOUTH_FORUM) else people,
        "member_count": len(people),
        "quorum": meetings.quorum_rule(body, request.constitution),
        "quorum_needed": rules.quorum_needed(
            meetings.quorum_rule(body, request.constitution), len(people)
        ),
        **LABELS,
    }


def ics_response(content: bytes, filename: str) -> Response:
    response = Response(body=content, content_type="text/calendar", charset="utf-8")
    response.content_disposition = f'inline; filename="{filename}"'
    return response


@view_config(route_name="meetings_body_ics", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def body_ics(request):
    body = found(request.dbsession, Body, request, "body_id")
    every = request.dbsession.scalars(
        select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.starts_at)
    )
    feed = meetings.calendar(
        body.name,
        list(every),
        lambda m: request.route_url("meetings_meeting", meeting_id=m.id),
    )
    return ics_response(feed, f"body-{body.id}.ics")


@view_config(
    route_name="meetings_mine_ics", request_method=READ, permission=Permission.MEETINGS_CALENDAR_OWN
)
def my_ics(request):
    return person_calendar(request, request.account)


@view_config(
    route_name="meetings_calendar",
    renderer="meetings/calendar.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_CALENDAR_OWN,
)
def calendar_page(request):
    return {
        "token": None,
        "has_token": meetings.has_calendar_token(request.dbsession, request.account),
    }


@view_config(
    route_name="meetings_calendar",
    renderer="meetings/calendar.jinja2",
    request_method="POST",
    permission=Permission.MEETINGS_CALENDAR_OWN,
)
def calendar_link(request):
    # The address is shown on this page only: never in a redirect, a flash cookie or a log.
    token = meetings.new_calendar_token(request.dbsession, request.account)
    return {"token": token, "has_token": True}


@view_config(
    route_name="meetings_calendar_ics", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def calendar_by_link(request):
    account = meetings.account_for_calendar(request.dbsession, request.matchdict["token"])
    if account is None:
        raise HTTPNotFound()
    return person_calendar(request, account)


def person_calendar(request, account):
    feed = meetings.calendar(
        f"Meetings for {account.display_name}",
        meetings.meetings_for_account(request.dbsession, account),
        lambda m: request.route_url("meetings_meeting", meeting_id=m.id),
    )
    response = ics_response(feed, "my-meetings.ics")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def public_carried(request, meeting: Meeting, *, full: bool):
    """The actions carried into matters arising; the public never sees one raised under a
    confidential item."""
    carried = meetings.carried_forward_actions(request.dbsession, meeting)
    return carried if full else [a for a in carried if not a.item.confidential]


def anonymous(meeting: Meeting, *, full: bool) -> bool:
    """Young people's names are never public: the Youth Forum's public papers name nobody."""
    return not full and meeting.body.kind == rules.YOUTH_FORUM


def agenda_values(request, meeting: Meeting, *, full: bool) -> dict:
    return {
        "meeting": meeting,
        "items": meeting.items if full else meetings.public_items(meeting),
        "carried": public_carried(request, meeting, full=full),
        "full": full,
        "anonymous": anonymous(meeting, full=full),
        **LABELS,
    }


@view_config(
    route_name="meetings_meeting",
    renderer="meetings/meeting.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def meeting_page(request):
    meeting = found(request.dbsession, Meeting, request, "meeting_id")
    return {
        **agenda_values(request, meeting, full=False),
        "published": rules.published(meeting.minutes_state),
        "can_read_record": may_read_record(request, meeting),
    }


def minutes_values(request, meeting: Meeting, *, full: bool) -> dict:
    items = meeting.items if full else meetings.public_items(meeting)
    shown = {item.id for item in items}
    return {
        "meeting": meeting,
        "items": items,
        "attendance": meeting.attendance,
        "amendments": [a for a in meeting.amendments if a.item_id is None or a.item_id in shown],
        "approval": meetings.approving_decision(request.dbsession, meeting),
        "carried": public_carried(request, meeting, full=full),
        "full": full,
        "anonymous": anonymous(meeting, full=full),
        **LABELS,
    }


def published_meeting(request) -> Meeting:
    meeting = found(request.dbsession, Meeting, request, "meeting_id")
    if not rules.published(meeting.minutes_state):
        raise HTTPNotFound()
    return meeting


@view_config(
    route_name="meetings_minutes",
    renderer="meetings/minutes.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def public_minutes(request):
    return minutes_values(request, published_meeting(request), full=False)


def pdf_name(meeting: Meeting, what: str) -> str:
    return f"{what}-{london_day(meeting.starts_at).isoformat()}-{meeting.id}.pdf"


@view_config(
    route_name="meetings_minutes_pdf", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def public_minutes_pdf(request):
    meeting = published_meeting(request)
    content = render_pdf(
        "meetings/minutes_pdf.jinja2", minutes_values(request, meeting, full=False), request
    )
    return pdf_response(content, pdf_name(meeting, "minutes"))


def agenda_pdf(request, *, full: bool):
    meeting = found(request.dbsession, Meeting, request, "meeting_id")
    content = render_pdf(
        "meetings/agenda_pdf.jinja2",
        agenda_values(request, meeting, full=full),
        request,
        meetings.pack_papers(meeting, include_confidential=full),
    )
    return pdf_response(content, pdf_name(meeting, "agenda"))


@view_config(
    route_name="meetings_agenda_pdf", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def public_agenda_pdf(request):
    return agenda_pdf(request, full=False)


@view_config(route_name="meetings_paper", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def paper(request):
    found_paper = found(request.dbsession, AgendaPaper, request, "paper_id")
    if found_paper.item.confidential and not may_read_record(request, found_paper.item.meeting):
        # A confidential paper does not exist for the public.
        raise HTTPNotFound()
    return download(found_paper.file)


# -- The full record: directors, the secretary, the scrutineer, and the body's own members


def may_read_record(request, meeting: Meeting) -> bool:
    return request.has_permission(Permission.MEETINGS_RECORD_READ) or (
        request.account is not None
        and meetings.belongs(request.dbsession, meeting, request.account.id)
    )


def record_meeting(request) -> Meeting:
    meeting = found(request.dbsession, Meeting, request, "meeting_id")
    if not may_read_record(request, meeting):
        raise HTTPForbidden()
    return meeting


@view_config(
    route_name="meetings_record",
    renderer="meetings/record.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_RECORD_OWN,
)
def record(request):
    return minutes_values(request, record_meeting(request), full=True)


@view_config(
    route_name="meetings_record_pdf", request_method=READ, permission=Permission.MEETINGS_RECORD_OWN
)
def record_pdf(request):
    meeting = record_meeting(request)
    content = render_pdf(
        "meetings/minutes_pdf.jinja2", minutes_values(request, meeting, full=True), request
    )
    return pdf_response(content, pdf_name(meeting, "minutes-full"))


@view_config(
    route_name="meetings_record_agenda_pdf",
    request_method=READ,
    permission=Permission.MEETINGS_RECORD_OWN,
)
def record_agenda_pdf(request):
    record_meeting(request)
    return agenda_pdf(request, full=True)


# -- The secretary's pages -----------------------------------------------------------------------


@view_config(
    route_name="meetings_manage",
    renderer="meetings/manage.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_MANAGE,
)
def manage(request):
    dbsession = request.dbsession
    open_actions = dbsession.scalars(
        select(MeetingAction)
        .where(MeetingAction.done_on.is_(None))
        .order_by(MeetingAction.due_on, MeetingAction.id)
    ).all()
    drafts = dbsession.scalars(
        select(Meeting)
        .where(Meeting.minutes_state != rules.SIGNED, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at.desc())
        .limit(50)
    ).all()
    requisitions = dbsession.scalars(select(Requisition).order_by(Requisition.id.desc())).all()
    return {
        "bodies": dbsession.scalars(select(Body).order_by(Body.name)).all(),
        "drafts": drafts,
        "open_actions": open_actions,
        "requisitions": requisitions,
        "called": {r.id: meetings.called_meeting(dbsession, r) for r in requisitions},
        "threshold": meetings.requisition_threshold(dbsession, request.constitution),
        "general": dbsession.scalar(
            select(Body).where(Body.kind == rules.GENERAL_MEETING).order_by(Body.id).limit(1)
        ),
        "today": meetings.today(),
        **LABELS,
    }


class MeetingsFormPage(FormPage):
    """A secretary's form under one heading, with the way back."""

    def back(self) -> tuple[str, str]:
        return self.request.route_url("meetings_manage"), "Back to meetings"

    def heading(self) -> str:
        raise NotImplementedError

    def extra(self):
        url, label = self.back()
        return {"heading": self.heading(), "back_url": url, "back_label": label, "intro": ""}


@form_page("meetings_body_new", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class BodyNewPage(MeetingsFormPage):
    submit_label = "Add the body"

    def heading(self):
        return "Add a body"

    def make_schema(self):
        parents = self.request.dbsession.scalars(select(Body).order_by(Body.name)).all()
        return schemas.body_schema(parents).bind(request=self.request)

    def succeed(self, form, appstruct):
        dbsession = self.request.dbsession
        parent = dbsession.get(Body, int(appstruct["parent"])) if appstruct["parent"] else None
        try:
            body = meetings.add_body(
                dbsession,
                name=appstruct["name"],
                kind=appstruct["kind"],
                parent=parent,
                terms_of_reference=appstruct["terms_of_reference"],
                quorum_number=appstruct["quorum_number"],
                quorum_of=appstruct["quorum_of"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "kind")
        return self.redirect("meetings_body_manage", f"{body.name} is added.", body_id=body.id)


@form_page("meetings_body_edit", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class BodyEditPage(MeetingsFormPage):
    submit_label = "Save the changes"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.body = found(request.dbsession, Body, request, "body_id")

    def heading(self):
        return f"Change {self.body.name}"

    def back(self):
        return (
            self.request.route_url("meetings_body_manage", body_id=self.body.id),
            f"Back to {self.body.name}",
        )

    def make_schema(self):
        parents = self.request.dbsession.scalars(
            select(Body).where(Body.id != self.body.id).order_by(Body.name)
        ).all()
        return schemas.body_schema(parents, with_kind=False).bind(request=self.request)

    def initial(self):
        body = self.body
        return {
            "name": body.name,
            "parent": str(body.parent_id or ""),
            "terms_of_reference": body.terms_of_reference,
            "quorum_number": body.quorum_number,
            "quorum_of": body.quorum_of,
        }

    def succeed(self, form, appstruct):
        dbsession = self.request.dbsession
        parent = dbsession.get(Body, int(appstruct["parent"])) if appstruct["parent"] else None
        try:
            meetings.update_body(
                dbsession,
                self.body,
                name=appstruct["name"],
                parent=parent,
                terms_of_reference=appstruct["terms_of_reference"],
                quorum_number=appstruct["quorum_number"],
                quorum_of=appstruct["quorum_of"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "parent")
        return self.redirect("meetings_body_manage", "The changes are saved.", body_id=self.body.id)


@form_page("meetings_body_manage", "meetings/body_manage.jinja2", Permission.MEETINGS_MANAGE)
class BodyManagePage(MeetingsFormPage):
    """A body's members, attendance statistics and meetings; the form adds a member."""

    submit_label = "Add the member"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.body = found(request.dbsession, Body, request, "body_id")

    def heading(self):
        return self.body.name

    def make_schema(self):
        directors = board_service.serving_directors(self.request.dbsession, meetings.today())
        return schemas.member_schema(directors).bind(request=self.request)

    def initial(self):
        return {"from_date": meetings.today()}

    def extra(self):
        dbsession = self.request.dbsession
        return {
            **super().extra(),
            "body": self.body,
            "people": meetings.participants(dbsession, self.body, meetings.today()),
            "meetings": list(reversed(meetings.meetings_of(dbsession, self.body)))[:50],
            "statistics": meetings.attendance_statistics(dbsession, self.body),
            "general": self.body.kind == rules.GENERAL_MEETING,
            **LABELS,
        }

    def succeed(self, form, appstruct):
        dbsession = self.request.dbsession
        director = (
            dbsession.get(Director, int(appstruct["director"])) if appstruct["director"] else None
        )
        try:
            meetings.add_body_member(
                dbsession,
                self.body,
                name=director.name if director else appstruct["name"],
                role=appstruct["role"],
                from_date=appstruct["from_date"],
                to_date=appstruct["to_date"],
                email=appstruct["email"],
                account_id=director.account_id if director else None,
                director_id=director.id if director else None,
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "role")
        return self.redirect("meetings_body_manage", "The member is added.", body_id=self.body.id)


@form_page("meetings_body_member_end", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class MemberEndPage(MeetingsFormPage):
    submit_label = "End the membership"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.seat = found(request.dbsession, BodyMember, request, "seat_id")

    def heading(self):
        return f"End {self.seat.name}'s membership of {self.seat.body.name}"

    def back(self):
        return (
            self.request.route_url("meetings_body_manage", body_id=self.seat.body_id),
            f"Back to {self.seat.body.name}",
        )

    def make_schema(self):
        return schemas.member_end_schema().bind(request=self.request)

    def initial(self):
        return {"to_date": meetings.today()}

    def succeed(self, form, appstruct):
        try:
            meetings.end_body_member(
                self.request.dbsession,
                self.seat,
                to_date=appstruct["to_date"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "to_date")
        return self.redirect(
            "meetings_body_manage",
            f"{self.seat.name}'s membership ends on {appstruct['to_date']:%-d %B %Y}.",
            body_id=self.seat.body_id,
        )


@form_page("meetings_schedule", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class SchedulePage(MeetingsFormPage):
    submit_label = "Schedule and send the notice"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.body = found(request.dbsession, Body, request, "body_id")

    def heading(self):
        return f"Schedule a meeting of {self.body.name}"

    def back(self):
        return (
            self.request.route_url("meetings_body_manage", body_id=self.body.id),
            f"Back to {self.body.name}",
        )

    def kinds(self):
        if self.body.kind == rules.GENERAL_MEETING:
            return [(k, v) for k, v in rules.MEETING_KINDS.items() if k != rules.ORDINARY]
        return [(rules.ORDINARY, rules.MEETING_KINDS[rules.ORDINARY])]

    def open_requisitions(self):
        if self.body.kind != rules.GENERAL_MEETING:
            return []
        dbsession = self.request.dbsession
        reached = dbsession.scalars(
            select(Requisition).where(Requisition.threshold_reached_on.is_not(None))
        )
        return [
            (str(r.id), f"Requisition {r.id}: call by {r.call_by:%-d %B %Y}")
            for r in reached
            if meetings.called_meeting(dbsession, r) is None
        ]

    def make_schema(self):
        return schemas.schedule_schema(self.kinds(), self.open_requisitions()).bind(
            request=self.request
        )

    def initial(self):
        requisition = self.request.params.get("requisition", "")
        return {"requisition": requisition} if requisition.isdigit() else {}

    def extra(self):
        rules_ = self.request.constitution.meetings
        if self.body.kind == rules.GENERAL_MEETING:
            notice = f"at least {rules_.general_meeting_notice_clear_days} clear days"
        elif self.body.kind == rules.BOARD:
            notice = f"{rules_.board_notice_days} days"
        else:
            notice = f"{rules_.committee_notice_days} days"
        return {
            **super().extra(),
            "intro": f"The constitution requires {notice}' notice. The notice is emailed to "
            "every member of the body when you schedule the meeting.",
        }

    def succeed(self, form, appstruct):
        hour, minute = (int(part) for part in appstruct["time"].split(":"))
        starts_at = datetime.combine(appstruct["day"], datetime.min.time()).replace(
            hour=hour, minute=minute, tzinfo=meetings.LONDON
        )
        requisition_id = appstruct.get("requisition", "")
        requisition = (
            self.request.dbsession.get(Requisition, int(requisition_id)) if requisition_id else None
        )
        try:
            meeting = meetings.schedule_meeting(
                self.request,
                self.body,
                title=appstruct["title"],
                kind=appstruct.get("kind", rules.ORDINARY),
                starts_at=starts_at,
                place=appstruct["place"],
                online_link=appstruct["online_link"],
                requisition=requisition,
            )
        except MeetingError as refusal:
            field = "place" if "place" in str(refusal) else "day"
            return self.refuse(form, str(refusal), field)
        return self.redirect(
            "meetings_run",
            "The meeting is scheduled and the notice has been sent.",
            meeting_id=meeting.id,
        )


@view_config(
    route_name="meetings_run",
    renderer="meetings/run.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_MANAGE,
)
def run(request):
    meeting = found(request.dbsession, Meeting, request, "meeting_id")
    return {
        **agenda_values(request, meeting, full=True),
        "quorums": meetings.meeting_quorums(request.dbsession, request.constitution, meeting),
        "editable": rules.record_editable(meeting.minutes_state),
        "started": meeting.starts_at <= meetings.utcnow(),
        "approval": meetings.approving_decision(request.dbsession, meeting),
    }


class MeetingFormPage(MeetingsFormPage):
    """A form about one meeting."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.meeting = found(request.dbsession, Meeting, request, "meeting_id")

    def back(self):
        return (
            self.request.route_url("meetings_run", meeting_id=self.meeting.id),
            "Back to the meeting",
        )

    def done(self, message: str):
        return self.redirect("meetings_run", message, meeting_id=self.meeting.id)


def upload_of(appstruct, name, maximum_bytes):
    upload = appstruct.get(name)
    if not upload:
        return None
    return read_upload(upload, maximum_bytes), upload.get("filename") or "paper"


@form_page("meetings_item_new", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class ItemNewPage(MeetingFormPage):
    submit_label = "Add the item"

    def heading(self):
        return f"Add an item to the agenda of {self.meeting.title}"

    def make_schema(self):
        limit = meetings.paper_limit(self.request.constitution)
        return schemas.item_with_paper_schema(limit).bind(request=self.request)

    def succeed(self, form, appstruct):
        dbsession = self.request.dbsession
        actor = self.request.account.id
        try:
            item = meetings.add_item(
                dbsession,
                self.meeting,
                title=appstruct["title"],
                presenter=appstruct["presenter"],
                summary=appstruct["summary"],
                confidential=appstruct["confidential"],
                actor_id=actor,
            )
            limit = meetings.paper_limit(self.request.constitution)
            upload = upload_of(appstruct, "paper", limit)
            if upload:
                meetings.add_paper(
                    dbsession,
                    item,
                    title=appstruct["paper_title"] or appstruct["title"],
                    content=upload[0],
                    filename=upload[1],
                    constitution=self.request.constitution,
                    actor_id=actor,
                )
        except MeetingError as refusal:
            self.request.tm.doom()
            return self.refuse(form, str(refusal), "title")
        return self.done(f"“{item.title}” is on the agenda.")


@form_page("meetings_attendance", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class AttendancePage(MeetingFormPage):
    submit_label = "Record the attendance"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.people = meetings.participants(
            request.dbsession, self.meeting.body, london_day(self.meeting.starts_at)
        )

    def heading(self):
        return f"Attendance at {self.meeting.title}"

    @property
    def general(self) -> bool:
        return self.meeting.body.kind == rules.GENERAL_MEETING

    def make_schema(self):
        if self.general:
            return schemas.general_attendance_schema().bind(request=self.request)
        recorded = {row.person_key: row for row in self.meeting.attendance}

        def current(person):
            row = recorded.get(person.key)
            if row is None:
                return {}
            return {
                "status": row.status,
                "apologies_accepted": row.apologies_accepted,
                "arrived": row.arrived,
                "departed": row.departed,
            }

        people = [(f"p{n}", p.name, current(p)) for n, p in enumerate(self.people)]
        return schemas.attendance_schema(people).bind(request=self.request)

    def initial(self):
        rows = self.meeting.attendance
        guests = [r.name for r in rows if r.status == rules.IN_ATTENDANCE]
        values = {"guests": "\n".join(guests)}
        if self.general:
            numbers = {p.key: p.number for p in self.people}
            for status in (rules.PRESENT, rules.APOLOGIES):
                values[status] = ", ".join(
                    str(numbers[r.person_key])
                    for r in rows
                    if r.status == status and r.person_key in numbers
                )
        return values

    def entries(self, appstruct):
        if self.general:
            return meetings.general_meeting_entries(
                self.request.dbsession, self.meeting, appstruct["present"], appstruct["apologies"]
            )
        return [
            meetings.AttendanceEntry(
                key=person.key,
                status=appstruct[f"p{n}"]["status"],
                apologies_accepted=appstruct[f"p{n}"]["apologies_accepted"],
                arrived=appstruct[f"p{n}"]["arrived"],
                departed=appstruct[f"p{n}"]["departed"],
            )
            for n, person in enumerate(self.people)
        ]

    def succeed(self, form, appstruct):
        guests = [line.strip()[:200] for line in appstruct["guests"].splitlines() if line.strip()]
        try:
            meetings.record_attendance(
                self.request.dbsession,
                self.meeting,
                self.entries(appstruct),
                guests,
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "present" if self.general else "guests")
        return self.done("The attendance is recorded.")


@form_page("meetings_cancel", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class CancelPage(MeetingFormPage):
    submit_label = "Cancel the meeting"

    def heading(self):
        return f"Cancel {self.meeting.title} on {self.meeting.starts_at:%-d %B %Y}"

    def make_schema(self):
        return schemas.cancel_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        try:
            meetings.cancel_meeting(self.request, self.meeting, reason=appstruct["reason"])
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "reason")
        return self.redirect(
            "meetings_body_manage",
            "The meeting is cancelled and the members have been told.",
            body_id=self.meeting.body_id,
        )


@form_page("meetings_amend", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class AmendPage(MeetingFormPage):
    submit_label = "Record the amendment"

    def heading(self):
        return f"Amend the minutes of {self.meeting.title}"

    def make_schema(self):
        items = [(str(i.id), f"{i.position}. {i.title}") for i in self.meeting.items]
        return schemas.amendment_schema(items).bind(request=self.request)

    def succeed(self, form, appstruct):
        item = (
            self.request.dbsession.get(AgendaItem, int(appstruct["item"]))
            if appstruct["item"]
            else None
        )
        try:
            meetings.amend_minutes(
                self.request.dbsession,
                self.meeting,
                item=item,
                text=appstruct["text"],
                reason=appstruct["reason"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "text")
        return self.done("The amendment is recorded beside the minutes.")


@form_page("meetings_sign", "meetings/form.jinja2", Permission.MEETINGS_MINUTES_SIGN)
class SignPage(MeetingFormPage):
    submit_label = "Sign the minutes"

    def heading(self):
        return f"Sign the minutes of {self.meeting.title}"

    def back(self):
        return (
            self.request.route_url("meetings_record", meeting_id=self.meeting.id),
            "Back to the minutes",
        )

    def make_schema(self):
        return schemas.sign_schema().bind(request=self.request)

    def extra(self):
        return {
            **super().extra(),
            "intro": f"The minutes are {rules.MINUTES_STATES[self.meeting.minutes_state].lower()}."
            " Once signed they are locked and published; any later correction is a recorded "
            "amendment.",
        }

    def succeed(self, form, appstruct):
        try:
            meetings.sign_minutes(self.request.dbsession, self.meeting, chair=self.request.account)
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "confirm")
        return self.redirect(
            "meetings_minutes", "The minutes are signed and published.", meeting_id=self.meeting.id
        )


@view_config(
    route_name="meetings_circulate", request_method="POST", permission=Permission.MEETINGS_MANAGE
)
def circulate(request):
    meeting = found(request.dbsession, Meeting, request, "meeting_id")
    try:
        meetings.circulate_minutes(request, meeting)
    except MeetingError as refusal:
        request.session.flash(str(refusal), "warning")
        request.tm.doom()
    else:
        request.session.flash("The draft minutes have been circulated to the members.", "success")
    return HTTPFound(request.route_url("meetings_run", meeting_id=meeting.id))


# -- One item at the meeting ---------------------------------------------------------------------


@view_config(
    route_name="meetings_item",
    renderer="meetings/item.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_MANAGE,
)
def item_page(request):
    item = found(request.dbsession, AgendaItem, request, "item_id")
    meeting = item.meeting
    earlier = None
    if item.kind == rules.LAST_MINUTES_ITEM:
        earlier = meetings.previous_meeting(request.dbsession, meeting)
    return {
        "item": item,
        "meeting": meeting,
        "quorum": meetings.item_quorum(request.dbsession, request.constitution, item),
        "editable": rules.record_editable(meeting.minutes_state),
        "earlier": earlier,
        "carried": (
            meetings.carried_forward_actions(request.dbsession, meeting)
            if item.kind == rules.MATTERS_ARISING_ITEM
            else []
        ),
        **LABELS,
    }


class ItemFormPage(MeetingsFormPage):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.item = found(request.dbsession, AgendaItem, request, "item_id")
        self.meeting = self.item.meeting

    def back(self):
        return (
            self.request.route_url("meetings_item", item_id=self.item.id),
            f"Back to item {self.item.position}",
        )

    def done(self, message: str):
        return self.redirect("meetings_item", message, item_id=self.item.id)

    def present_choices(self):
        present = meetings.present_members(self.request.dbsession, self.meeting)
        return sorted(present.items(), key=lambda pair: pair[1])


@form_page("meetings_item_declare", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class DeclarePage(ItemFormPage):
    submit_label = "Record the declaration"

    def heading(self):
        return f"Declare an interest in item {self.item.position}: {self.item.title}"

    def make_schema(self):
        people = meetings.participants(
            self.request.dbsession, self.meeting.body, london_day(self.meeting.starts_at)
        )
        return schemas.declaration_schema([(p.key, p.name) for p in people]).bind(
            request=self.request
        )

    def succeed(self, form, appstruct):
        try:
            meetings.declare(
                self.request.dbsession,
                self.item,
                person_key=appstruct["person"],
                interest=appstruct["interest"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "person")
        return self.done("The declaration is recorded: they do not count for quorum or vote here.")


@form_page("meetings_item_motion", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class MotionPage(ItemFormPage):
    submit_label = "Record the motion and vote"

    def heading(self):
        return f"A motion on item {self.item.position}: {self.item.title}"

    def make_schema(self):
        casting = rules.casting_vote_allowed(self.meeting.body.kind, self.request.constitution)
        voters = [(f"v{n}", name) for n, (_, name) in enumerate(self.voters())]
        return schemas.motion_schema(self.present_choices(), casting, voters).bind(
            request=self.request
        )

    def voters(self):
        """Members present without a declared interest, who may vote on the item."""
        conflicted = {d.person_key for d in self.item.declarations}
        return [pair for pair in self.present_choices() if pair[0] not in conflicted]

    def extra(self):
        found_quorum = meetings.item_quorum(
            self.request.dbsession, self.request.constitution, self.item
        )
        return {**super().extra(), "intro": f"{found_quorum}."}

    def succeed(self, form, appstruct):
        try:
            motion = meetings.record_motion(
                self.request.dbsession,
                self.request.constitution,
                self.item,
                text=appstruct["text"],
                proposer_key=appstruct["proposer"],
                seconder_key=appstruct["seconder"],
                votes_for=appstruct["votes_for"],
                votes_against=appstruct["votes_against"],
                abstentions=appstruct["abstentions"],
                casting_vote=appstruct.get("casting_vote", ""),
                actor_id=self.request.account.id,
                named_votes={
                    key: (appstruct.get("named") or {}).get(f"v{n}", "")
                    for n, (key, _) in enumerate(self.voters())
                },
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "votes_for")
        return self.done(f"The motion is {motion.outcome}.")


@form_page("meetings_item_decision", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class DecisionPage(ItemFormPage):
    submit_label = "Record the decision"

    def heading(self):
        return f"A decision on item {self.item.position}: {self.item.title}"

    def make_schema(self):
        return schemas.decision_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        try:
            meetings.record_decision(
                self.request.dbsession,
                self.request.constitution,
                self.item,
                text=appstruct["text"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "text")
        return self.done("The decision is recorded.")


@form_page("meetings_item_action", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class ActionPage(ItemFormPage):
    submit_label = "Record the action"

    def heading(self):
        return f"An action from item {self.item.position}: {self.item.title}"

    def make_schema(self):
        return schemas.action_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        try:
            meetings.add_action(
                self.request.dbsession,
                self.item,
                text=appstruct["text"],
                owner=appstruct["owner"],
                due_on=appstruct["due_on"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "text")
        return self.done("The action is recorded.")


@form_page("meetings_item_minutes", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class ItemMinutesPage(ItemFormPage):
    submit_label = "Save the minute"

    def heading(self):
        return f"Minute item {self.item.position}: {self.item.title}"

    def make_schema(self):
        return schemas.item_minutes_schema().bind(request=self.request)

    def initial(self):
        return {"minutes_text": self.item.minutes_text}

    def succeed(self, form, appstruct):
        try:
            meetings.write_item_minutes(
                self.request.dbsession,
                self.item,
                text=appstruct["minutes_text"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "minutes_text")
        return self.done("The minute is saved.")


@form_page("meetings_item_paper", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class PaperPage(ItemFormPage):
    submit_label = "Upload the paper"

    def heading(self):
        return f"Add a paper to item {self.item.position}: {self.item.title}"

    def make_schema(self):
        limit = meetings.paper_limit(self.request.constitution)
        return schemas.paper_schema(limit).bind(request=self.request)

    def succeed(self, form, appstruct):
        limit = meetings.paper_limit(self.request.constitution)
        content, filename = upload_of(appstruct, "paper", limit)
        try:
            meetings.add_paper(
                self.request.dbsession,
                self.item,
                title=appstruct["paper_title"] or self.item.title,
                content=content,
                filename=filename,
                constitution=self.request.constitution,
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "paper")
        return self.done("The paper is added.")


@view_config(
    route_name="meetings_item_move", request_method="POST", permission=Permission.MEETINGS_MANAGE
)
def move(request):
    item = found(request.dbsession, AgendaItem, request, "item_id")
    by = -1 if request.POST.get("direction") == "up" else 1
    try:
        meetings.move_item(request.dbsession, item, by=by, actor_id=request.account.id)
    except MeetingError as refusal:
        request.tm.doom()
        request.session.flash(str(refusal), "warning")
    return HTTPFound(request.route_url("meetings_run", meeting_id=item.meeting_id))


@view_config(
    route_name="meetings_approve", request_method="POST", permission=Permission.MEETINGS_MANAGE
)
def approve(request):
    item = found(request.dbsession, AgendaItem, request, "item_id")
    try:
        meetings.approve_minutes(
            request.dbsession, request.constitution, item, actor_id=request.account.id
        )
    except MeetingError as refusal:
        request.tm.doom()
        request.session.flash(str(refusal), "warning")
    else:
        request.session.flash(
            "The minutes of the last meeting are approved as a true record.", "success"
        )
    return HTTPFound(request.route_url("meetings_item", item_id=item.id))


@form_page("meetings_action_done", "meetings/form.jinja2", Permission.MEETINGS_MANAGE)
class ActionDonePage(MeetingsFormPage):
    submit_label = "Mark as done"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.action = found(request.dbsession, MeetingAction, request, "action_id")

    def heading(self):
        return f"Action done: {self.action.text}"

    def make_schema(self):
        return schemas.action_done_schema().bind(request=self.request)

    def initial(self):
        return {"done_on": meetings.today()}

    def succeed(self, form, appstruct):
        try:
            meetings.complete_action(
                self.request.dbsession,
                self.action,
                done_on=appstruct["done_on"],
                note=appstruct["note"],
                actor_id=self.request.account.id,
            )
        except MeetingError as refusal:
            return self.refuse(form, str(refusal), "done_on")
        return self.redirect("meetings_manage", "The action is done.")


# -- Requisitions --------------------------------------------------------------------------------


@view_config(
    route_name="requisitions",
    renderer="meetings/requisitions.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_REQUISITION_SIGN,
)
def requisitions(request):
    dbsession = request.dbsession
    member = active_membership(dbsession, request.account.id)
    found_requisitions = dbsession.scalars(
        select(Requisition).order_by(Requisition.id.desc())
    ).all()
    return {
        "requisitions": found_requisitions,
        "signed": {
            r.id
            for r in found_requisitions
            if member and any(s.member_id == member.id for s in r.signatures)
        },
        "called": {r.id: meetings.called_meeting(dbsession, r) for r in found_requisitions},
        "threshold": meetings.requisition_threshold(dbsession, request.constitution),
        "member": member,
    }


def requisitioning_member(request):
    member = active_membership(request.dbsession, request.account.id)
    if member is None:
        raise HTTPNotFound()
    return member


@form_page("requisition_new", "meetings/form.jinja2", Permission.MEETINGS_REQUISITION_SIGN)
class RequisitionNewPage(MeetingsFormPage):
    submit_label = "Start the requisition and sign it"

    def back(self):
        return self.request.route_url("requisitions"), "Back to requisitions"

    def heading(self):
        return "Requisition a general meeting"

    def make_schema(self):
        return schemas.requisition_schema().bind(request=self.request)

    def extra(self):
        rules_ = self.request.constitution.meetings
        return {
            **super().extra(),
            "intro": f"Once {rules_.requisition_percent}% of the members entitled to vote have "
            f"signed, the board must call the meeting within {rules_.requisition_call_days} days "
            "(Companies Act 2006 s303 and s304).",
        }

    def succeed(self, form, appstruct):
        member = requisitioning_member(self.request)
        try:
            meetings.start_requisition(self.request, member, appstruct["purpose"])
        except MeetingError as refusal:
            self.request.tm.doom()
            return self.refuse(form, str(refusal), "purpose")
        return self.redirect("requisitions", "Your requisition is started and signed.")


@view_config(
    route_name="requisition_sign",
    request_method="POST",
    permission=Permission.MEETINGS_REQUISITION_SIGN,
)
def requisition_sign(request):
    requisition = found(request.dbsession, Requisition, request, "requisition_id")
    member = requisitioning_member(request)
    try:
        meetings.sign_requisition(request, requisition, member)
    except MeetingError as refusal:
        request.tm.doom()
        request.session.flash(str(refusal), "warning")
    else:
        request.session.flash("You have signed the requisition.", "success")
    return HTTPFound(request.route_url("requisitions"))
