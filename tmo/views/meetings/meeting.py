"""The secretary's pages about one meeting: its working page (agenda with the quorum for each
item, attendance, the minutes' state), adding an item with its paper, recording the attendance,
cancelling it before it begins, circulating the draft minutes, and amending them afterwards."""

from pyramid.view import view_config

from tmo.clock import london_day
from tmo.forms import act, form_page
from tmo.permissions import Permission
from tmo.presenters import london
from tmo.rules import meetings as rules
from tmo.schemas import meetings as schemas
from tmo.services import meetings
from tmo.views import READ
from tmo.views.meetings import MeetingPage, agenda_values, upload_of


@view_config(
    route_name="meetings_run",
    renderer="meetings/run.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_MANAGE,
)
def run(context, request):
    meeting = context.meeting
    return {
        **agenda_values(request, meeting, full=True),
        "quorums": meetings.meeting_quorums(request.dbsession, request.constitution, meeting),
        "editable": rules.record_editable(meeting.minutes_state),
        "started": meetings.started(meeting, request.now),
        "attendance_recorded": meetings.attendance_recorded(meeting),
        "approval": meetings.approving_decision(request.dbsession, meeting),
        "attendance_from": london_day(meeting.starts_at),
        "changeable": meetings.agenda_changeable(meeting, request.now),
    }


@view_config(
    route_name="meetings_agenda_publish",
    request_method="POST",
    permission=Permission.MEETINGS_MANAGE,
)
def publish_agenda(context, request):
    def publish():
        meetings.publish_agenda(
            request.dbsession, context.meeting, actor_id=request.account.id, now=request.now
        )
        return "The agenda is published: its items are now fixed."

    return act(request, publish, request.route_url("meetings_run", meeting_id=context.meeting.id))


@form_page("meetings_item_new", "form.jinja2", Permission.MEETINGS_MANAGE)
class ItemNewPage(MeetingPage):
    submit_label = "Add the item"
    default_field = "title"

    @property
    def heading(self):
        return f"Add an item to the agenda of {self.meeting.title}"

    def make_schema(self):
        limit = meetings.paper_limit(self.request.constitution)
        return schemas.item_with_paper_schema(limit).bind(request=self.request)

    def succeed(self, form, appstruct):
        dbsession, constitution = self.request.dbsession, self.request.constitution
        actor = self.request.account.id
        item = meetings.add_item(
            dbsession,
            self.meeting,
            title=appstruct["title"],
            presenter=appstruct["presenter"],
            summary=appstruct["summary"],
            confidential=appstruct["confidential"],
            actor_id=actor,
        )
        upload = upload_of(appstruct, "paper", meetings.paper_limit(constitution))
        if upload:
            meetings.add_paper(
                dbsession,
                item,
                title=appstruct["paper_title"] or appstruct["title"],
                content=upload[0],
                filename=upload[1],
                constitution=constitution,
                actor_id=actor,
            )
        return self.done(f"“{item.title}” is on the agenda.")


@form_page("meetings_attendance", "form.jinja2", Permission.MEETINGS_MANAGE)
class AttendancePage(MeetingPage):
    submit_label = "Record the attendance"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.people = meetings.meeting_participants(request.dbsession, self.meeting)

    @property
    def heading(self):
        return f"Attendance at {self.meeting.title}"

    @property
    def general(self) -> bool:
        return self.meeting.body.kind == rules.GENERAL_MEETING

    @property
    def default_field(self):
        return "present" if self.general else "guests"

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
                "note": apologies_note(row),
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
        meetings.record_attendance(
            self.request.dbsession,
            self.meeting,
            self.entries(appstruct),
            guests,
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.done("The attendance is recorded.")


def apologies_note(row) -> str:
    """What the secretary reads beside a person who sent apologies online."""
    if row.apologies_sent_at is None:
        return ""
    note = f"Sent apologies online on {london(row.apologies_sent_at)}"
    return f"{note}: “{row.apologies_reason}”" if row.apologies_reason else f"{note}."


@form_page("meetings_cancel", "form.jinja2", Permission.MEETINGS_MANAGE)
class CancelPage(MeetingPage):
    submit_label = "Cancel the meeting"
    default_field = "reason"

    @property
    def heading(self):
        return f"Cancel {self.meeting.title} on {self.meeting.starts_at:%-d %B %Y}"

    def make_schema(self):
        return schemas.cancel_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        reach = meetings.cancel_meeting(self.request, self.meeting, reason=appstruct["reason"])
        return self.redirect(
            "meetings_body_manage",
            f"The meeting is cancelled. Telling the members: {reach.summary()}",
            body_id=self.meeting.body_id,
        )


@view_config(
    route_name="meetings_circulate", request_method="POST", permission=Permission.MEETINGS_MANAGE
)
def circulate(context, request):
    def circulate_minutes():
        reach = meetings.circulate_minutes(request, context.meeting)
        return f"The draft minutes have been circulated to the members: {reach.summary()}"

    return act(
        request,
        circulate_minutes,
        request.route_url("meetings_run", meeting_id=context.meeting.id),
    )


@form_page("meetings_amend", "form.jinja2", Permission.MEETINGS_MANAGE)
class AmendPage(MeetingPage):
    submit_label = "Record the amendment"
    default_field = "text"

    @property
    def heading(self):
        return f"Amend the minutes of {self.meeting.title}"

    def make_schema(self):
        items = [(str(i.id), f"{i.position}. {i.title}") for i in self.meeting.items]
        return schemas.amendment_schema(items).bind(request=self.request)

    def succeed(self, form, appstruct):
        chosen = appstruct["item"]
        meetings.amend_minutes(
            self.request.dbsession,
            self.meeting,
            item=next((i for i in self.meeting.items if str(i.id) == chosen), None),
            text=appstruct["text"],
            reason=appstruct["reason"],
            actor_id=self.request.account.id,
            now=self.request.now,
        )
        return self.done("The amendment is recorded beside the minutes.")
