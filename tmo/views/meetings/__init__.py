"""Meetings pages: the public list of bodies, meetings and published minutes, calendar feeds and
papers (``public``); a meeting's full record and signing its minutes (``record``); the
secretary's bodies and scheduling (``bodies``), one meeting's agenda, attendance and minutes
(``meeting``) and one item at the meeting (``items``); members' requisitions of a general meeting
(``requisitions``).

No public page, PDF or feed holds a confidential item, an action raised under one, or a young
person's name: what a page of a meeting shows comes from ``meetings.shown``.
"""

from tmo.clock import london_day
from tmo.forms import FormPage
from tmo.models.meetings import Meeting
from tmo.rules import meetings as rules
from tmo.schemas.files import read_upload
from tmo.services import meetings
from tmo.services.pdf import pdf_response, render_pdf

LABELS = {
    "body_kinds": rules.BODY_KINDS,
    "member_roles": rules.MEMBER_ROLES,
    "meeting_kinds": rules.MEETING_KINDS,
    "attendance_labels": rules.ATTENDANCE,
    "minutes_states": rules.MINUTES_STATES,
}


def agenda_values(request, meeting: Meeting, *, full: bool) -> dict:
    return {**vars(meetings.shown(request.dbsession, meeting, full=full)), **LABELS}


def minutes_values(request, meeting: Meeting, *, full: bool) -> dict:
    return {
        **agenda_values(request, meeting, full=full),
        "attendance": meeting.attendance,
        "approval": meetings.approving_decision(request.dbsession, meeting),
    }


def pdf_name(meeting: Meeting, what: str) -> str:
    return f"{what}-{london_day(meeting.starts_at).isoformat()}-{meeting.id}.pdf"


def agenda_pdf(request, meeting: Meeting, *, full: bool):
    """The agenda pack: the agenda with each paper printed in place (the confidential ones in
    full; otherwise a placeholder saying the item is exempt)."""
    pack = meetings.agenda_pack(meeting, full=full)
    content = render_pdf(
        "meetings/agenda_pdf.jinja2",
        {**agenda_values(request, meeting, full=full), "pack": pack},
        request,
        pack.inserts,
    )
    return pdf_response(content, pdf_name(meeting, "agenda"))


def minutes_pdf(request, meeting: Meeting, *, full: bool, what: str):
    content = render_pdf(
        "meetings/minutes_pdf.jinja2", minutes_values(request, meeting, full=full), request
    )
    return pdf_response(content, pdf_name(meeting, what))


def chosen_id(value: str) -> int | None:
    """The id picked from a list whose first choice is "none"."""
    return int(value) if value else None


def upload_of(appstruct: dict, name: str, maximum_bytes: int) -> tuple[bytes, str] | None:
    """(content, file name) of an uploaded file, or None when none was chosen."""
    upload = appstruct.get(name)
    if not upload:
        return None
    return read_upload(upload, maximum_bytes), upload.get("filename") or "paper"


class SecretaryPage(FormPage):
    """A secretary's form, on the one form template, with the way back to the meetings."""

    def back(self) -> tuple[str, str]:
        return self.request.route_url("meetings_manage"), "Back to meetings"


class MeetingPage(SecretaryPage):
    """A secretary's form about one meeting, the context's."""

    @property
    def meeting(self) -> Meeting:
        return self.context.meeting

    def back(self):
        return (
            self.request.route_url("meetings_run", meeting_id=self.meeting.id),
            "Back to the meeting",
        )

    def done(self, message: str):
        return self.redirect("meetings_run", message, meeting_id=self.meeting.id)
