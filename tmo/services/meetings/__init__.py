"""Committees and meetings: bodies and who sits on them (``bodies``), scheduling with the notice
checked and sent (``scheduling``), agendas with standing items and papers and what the public may
see of them (``agenda``), attendance and the live quorum, attendance statistics and the board's
absence flag (``attendance``), the record kept at the meeting (``record``), the minutes'
lifecycle, publication and retention (``minutes``), calendar feeds (``calendars``), and members'
requisitions of a general meeting (``requisitions``).

The names below are the service's whole interface; callers use them as
``meetings.schedule_meeting``. Every moment or day a service judges by is handed to it (or read
from the request it is given): none reads the clock.
"""

# tmo.services.youth dates a board decision with it; its home is tmo.clock.
from tmo.clock import london_day
from tmo.rules.meetings import MeetingError
from tmo.services.meetings.agenda import (
    Shown,
    add_item,
    add_paper,
    carried_forward_actions,
    ensure_editable,
    move_item,
    pack_papers,
    paper_limit,
    public_items,
    shown,
)
from tmo.services.meetings.attendance import (
    AttendanceEntry,
    attendance_statistics,
    board_absences,
    general_meeting_entries,
    item_quorum,
    meeting_quorums,
    present_members,
    record_attendance,
)
from tmo.services.meetings.bodies import (
    Participant,
    add_body,
    add_body_member,
    belongs,
    bodies,
    end_body_member,
    general_meeting_body,
    meeting_participants,
    participants,
    quorum_rule,
    update_body,
)
from tmo.services.meetings.calendars import (
    account_for_calendar,
    calendar,
    has_calendar_token,
    meetings_for_account,
    new_calendar_token,
)
from tmo.services.meetings.minutes import (
    amend_minutes,
    approve_minutes,
    approving_decision,
    circulate_minutes,
    kept_until,
    past_retention,
    published_query,
    sign_minutes,
    unsigned,
)
from tmo.services.meetings.record import (
    add_action,
    complete_action,
    declare,
    open_actions,
    record_decision,
    record_motion,
    voters,
    write_item_minutes,
)
from tmo.services.meetings.requisitions import (
    called_meeting,
    requisition_threshold,
    requisitions,
    requisitions_to_call,
    sign_requisition,
    signed_by,
    start_requisition,
)
from tmo.services.meetings.scheduling import (
    add_standing_items,
    cancel_meeting,
    every_meeting,
    held_and_coming_query,
    meetings_of,
    previous_meeting,
    schedule_meeting,
    started,
    upcoming,
)

__all__ = [
    "AttendanceEntry",
    "MeetingError",
    "Participant",
    "Shown",
    "account_for_calendar",
    "add_action",
    "add_body",
    "add_body_member",
    "add_item",
    "add_paper",
    "add_standing_items",
    "amend_minutes",
    "approve_minutes",
    "approving_decision",
    "attendance_statistics",
    "belongs",
    "board_absences",
    "bodies",
    "calendar",
    "called_meeting",
    "cancel_meeting",
    "carried_forward_actions",
    "circulate_minutes",
    "complete_action",
    "declare",
    "end_body_member",
    "ensure_editable",
    "every_meeting",
    "general_meeting_body",
    "general_meeting_entries",
    "has_calendar_token",
    "held_and_coming_query",
    "item_quorum",
    "kept_until",
    "london_day",
    "meeting_participants",
    "meeting_quorums",
    "meetings_for_account",
    "meetings_of",
    "move_item",
    "new_calendar_token",
    "open_actions",
    "pack_papers",
    "paper_limit",
    "participants",
    "past_retention",
    "present_members",
    "previous_meeting",
    "public_items",
    "published_query",
    "quorum_rule",
    "record_attendance",
    "record_decision",
    "record_motion",
    "requisition_threshold",
    "requisitions",
    "requisitions_to_call",
    "schedule_meeting",
    "shown",
    "sign_minutes",
    "sign_requisition",
    "signed_by",
    "start_requisition",
    "started",
    "unsigned",
    "upcoming",
    "update_body",
    "voters",
    "write_item_minutes",
]
