"""Views: routes, and the thin views that call services and hand templates plain values.

Each view names the HTTP methods it answers; a route asked with any other method answers 405. A
route that acts on an object names the factory that loads it (``tmo.contexts``): the object is
the context its views receive and their permission is decided on.
"""

from pyramid.events import ApplicationCreated
from pyramid.security import NO_PERMISSION_REQUIRED

from tmo.contexts import site
from tmo.contexts.accounts import AccountContext
from tmo.contexts.board import DirectorContext, DirectorshipContext, OwnDirectorContext
from tmo.contexts.elections import (
    BallotExportContext,
    CandidateContext,
    CodeVoterContext,
    ElectionContext,
)
from tmo.contexts.meetings import (
    ActionContext,
    BodyContext,
    CalendarFeedContext,
    ItemContext,
    MeetingContext,
    MinutesContext,
    PaperContext,
    RequisitionContext,
    SeatContext,
)
from tmo.contexts.membership import (
    ApplicationContext,
    OwnApplicationContext,
    OwnMembershipContext,
    RegisterEntryContext,
)
from tmo.contexts.notices import NoticeContext, PrintRunContext
from tmo.contexts.youth import (
    ChairContext,
    ChairElectionContext,
    ForumMemberContext,
    ProposalContext,
    ProposalFileContext,
    ReportPhotoContext,
)
from tmo.services.front_door import front_door

# The methods of a view that only reads.
READ = ("GET", "HEAD")

ROUTES = (
    ("home", "/"),
    ("constitution", "/constitution"),
    ("register", "/register"),
    ("register_sent", "/register/check-your-email"),
    ("verify_email", "/verify/{token}"),
    ("login", "/login"),
    ("logout", "/logout"),
    ("password_forgotten", "/password/forgotten"),
    ("password_reset", "/password/reset/{token}"),
    ("account", "/account"),
    ("needs_you", "/needs-you"),
    ("account_password", "/account/password"),
    ("admin_accounts", "/admin/accounts"),
    ("admin_account", "/admin/accounts/{account_id:\\d{1,9}}"),
    ("constitution_edit", "/admin/constitution"),
    ("audit_log", "/admin/audit"),
    ("properties_import", "/admin/properties/import"),
    ("membership", "/membership"),
    ("membership_apply", "/membership/apply"),
    ("membership_withdraw", "/membership/withdraw"),
    ("membership_contact", "/membership/contact"),
    ("membership_resign", "/membership/resign"),
    ("applications", "/secretary/applications"),
    ("application_enter", "/secretary/applications/new"),
    ("application", "/secretary/applications/{application_id:\\d{1,9}}"),
    ("member_register", "/secretary/register"),
    ("member_register_export", "/secretary/register.csv"),
    ("member_register_entry", "/secretary/register/{member_id:\\d{1,9}}"),
    ("member_register_end", "/secretary/register/{member_id:\\d{1,9}}/end"),
    ("member_register_erase", "/secretary/register/{member_id:\\d{1,9}}/erase"),
    ("member_register_contact", "/secretary/register/{member_id:\\d{1,9}}/contact"),
    ("notices", "/secretary/notices"),
    ("notice", "/secretary/notices/{notice_id:\\d{1,9}}"),
    ("print_run_make", "/secretary/notices/print-runs/new"),
    ("print_run", "/secretary/notices/print-runs/{run_id:\\d{1,9}}"),
    ("print_run_pdf", "/secretary/notices/print-runs/{run_id:\\d{1,9}}/letters.pdf"),
    ("print_run_csv", "/secretary/notices/print-runs/{run_id:\\d{1,9}}/letters.csv"),
    ("print_run_posted", "/secretary/notices/print-runs/{run_id:\\d{1,9}}/posted"),
    ("board", "/board"),
    ("board_csv", "/board.csv"),
    ("board_interests", "/board/interests"),
    ("board_my_interests", "/board/my-interests"),
    ("board_manage", "/secretary/board"),
    ("board_appoint", "/secretary/board/appoint"),
    ("board_term_end", "/secretary/board/terms/{term_id:\\d{1,9}}/end"),
    ("board_director", "/secretary/board/directors/{director_id:\\d{1,9}}"),
    ("elections", "/elections"),
    ("election", "/elections/{election_id:\\d{1,9}}"),
    (
        "election_candidate_photo",
        "/elections/{election_id:\\d{1,9}}/candidates/{candidate_id:\\d{1,9}}/photo",
    ),
    ("election_nominate", "/elections/{election_id:\\d{1,9}}/nominate"),
    (
        "election_nomination",
        "/elections/{election_id:\\d{1,9}}/nominations/{candidate_id:\\d{1,9}}",
    ),
    (
        "election_support",
        "/elections/{election_id:\\d{1,9}}/nominations/{candidate_id:\\d{1,9}}/support",
    ),
    (
        "election_consent",
        "/elections/{election_id:\\d{1,9}}/nominations/{candidate_id:\\d{1,9}}/consent",
    ),
    (
        "election_withdraw",
        "/elections/{election_id:\\d{1,9}}/nominations/{candidate_id:\\d{1,9}}/withdraw",
    ),
    ("election_ballot", "/elections/{election_id:\\d{1,9}}/ballot"),
    ("election_cast", "/elections/{election_id:\\d{1,9}}/ballot/cast"),
    ("election_result", "/elections/{election_id:\\d{1,9}}/result"),
    ("election_result_pdf", "/elections/{election_id:\\d{1,9}}/result.pdf"),
    ("election_ballots", "/elections/{election_id:\\d{1,9}}/ballots"),
    ("election_export", "/elections/{election_id:\\d{1,9}}/ballots.{format:(blt|csv)}"),
    ("elections_manage", "/returning-officer/elections"),
    ("election_new", "/returning-officer/elections/new"),
    ("election_manage", "/returning-officer/elections/{election_id:\\d{1,9}}"),
    ("election_move", "/returning-officer/elections/{election_id:\\d{1,9}}/move"),
    (
        "election_decide",
        "/returning-officer/elections/{election_id:\\d{1,9}}/nominations/{candidate_id:\\d{1,9}}",
    ),
    ("election_cancel", "/returning-officer/elections/{election_id:\\d{1,9}}/cancel"),
    ("election_paper", "/returning-officer/elections/{election_id:\\d{1,9}}/paper"),
    ("election_key", "/returning-officer/elections/{election_id:\\d{1,9}}/key"),
    ("election_key_confirm", "/returning-officer/elections/{election_id:\\d{1,9}}/key/confirm"),
    ("election_open_box", "/returning-officer/elections/{election_id:\\d{1,9}}/open-box"),
    ("election_reissue", "/returning-officer/elections/{election_id:\\d{1,9}}/reissue-code"),
    ("election_remind", "/returning-officer/elections/{election_id:\\d{1,9}}/remind"),
    ("vote", "/vote"),
    ("vote_ballot", "/vote/ballot"),
    ("vote_cast", "/vote/ballot/cast"),
    ("youth", "/youth"),
    ("youth_join", "/youth/join"),
    ("youth_forum", "/youth/forum"),
    ("youth_leave", "/youth/forum/leave"),
    ("youth_contact", "/youth/forum/contact"),
    ("youth_budget", "/youth/budget"),
    ("youth_budget_open", "/youth/budget/open"),
    ("youth_budget_adjust", "/youth/budget/adjust"),
    ("youth_ledger", "/youth/budget/ledger"),
    ("youth_ledger_csv", "/youth/budget/ledger.csv"),
    ("youth_board_report", "/youth/budget/board-report.pdf"),
    ("youth_proposals", "/youth/proposals"),
    ("youth_proposal_new", "/youth/proposals/new"),
    ("youth_proposal", "/youth/proposals/{proposal_id:\\d{1,9}}"),
    ("youth_proposal_edit", "/youth/proposals/{proposal_id:\\d{1,9}}/edit"),
    ("youth_proposal_withdraw", "/youth/proposals/{proposal_id:\\d{1,9}}/withdraw"),
    ("youth_proposal_submit", "/youth/proposals/{proposal_id:\\d{1,9}}/submit"),
    ("youth_proposal_check", "/youth/proposals/{proposal_id:\\d{1,9}}/check"),
    ("youth_proposal_interest", "/youth/proposals/{proposal_id:\\d{1,9}}/interest"),
    ("youth_proposal_vote", "/youth/proposals/{proposal_id:\\d{1,9}}/vote"),
    ("youth_proposal_count", "/youth/proposals/{proposal_id:\\d{1,9}}/count"),
    ("youth_proposal_remind", "/youth/proposals/{proposal_id:\\d{1,9}}/remind"),
    ("youth_proposal_ratify", "/youth/proposals/{proposal_id:\\d{1,9}}/ratify"),
    ("youth_proposal_spend", "/youth/proposals/{proposal_id:\\d{1,9}}/spend"),
    ("youth_proposal_report", "/youth/proposals/{proposal_id:\\d{1,9}}/report"),
    ("youth_file", "/youth/files/{file_id:\\d{1,9}}"),
    ("youth_photo", "/youth/photos/{photo_id:\\d{1,9}}"),
    ("youth_members", "/youth/members"),
    ("youth_member", "/youth/members/{member_id:\\d{1,9}}"),
    ("youth_chair", "/youth/chair"),
    ("youth_chair_open", "/youth/chair/open"),
    ("youth_chair_vote", "/youth/chair/vote"),
    ("youth_chair_count", "/youth/chair/count"),
    ("meetings", "/meetings"),
    ("meetings_mine_ics", "/meetings/mine.ics"),
    ("meetings_calendar", "/meetings/calendar"),
    ("meetings_calendar_ics", "/meetings/calendar/{token}.ics"),
    ("meetings_body", "/meetings/bodies/{body_id:\\d{1,9}}"),
    ("meetings_body_ics", "/meetings/bodies/{body_id:\\d{1,9}}.ics"),
    ("meetings_meeting", "/meetings/{meeting_id:\\d{1,9}}"),
    ("meetings_minutes", "/meetings/{meeting_id:\\d{1,9}}/minutes"),
    ("meetings_minutes_pdf", "/meetings/{meeting_id:\\d{1,9}}/minutes.pdf"),
    ("meetings_agenda_pdf", "/meetings/{meeting_id:\\d{1,9}}/agenda.pdf"),
    ("meetings_paper", "/meetings/papers/{paper_id:\\d{1,9}}"),
    ("meetings_record", "/meetings/{meeting_id:\\d{1,9}}/record"),
    ("meetings_record_pdf", "/meetings/{meeting_id:\\d{1,9}}/record.pdf"),
    ("meetings_record_agenda_pdf", "/meetings/{meeting_id:\\d{1,9}}/record-agenda.pdf"),
    ("meetings_sign", "/meetings/{meeting_id:\\d{1,9}}/sign"),
    ("requisitions", "/meetings/requisitions"),
    ("requisition_new", "/meetings/requisitions/new"),
    ("requisition_sign", "/meetings/requisitions/{requisition_id:\\d{1,9}}/sign"),
    ("meetings_manage", "/secretary/meetings"),
    ("meetings_body_new", "/secretary/meetings/bodies/new"),
    ("meetings_body_manage", "/secretary/meetings/bodies/{body_id:\\d{1,9}}"),
    ("meetings_body_edit", "/secretary/meetings/bodies/{body_id:\\d{1,9}}/edit"),
    ("meetings_body_member_end", "/secretary/meetings/members/{seat_id:\\d{1,9}}/end"),
    ("meetings_schedule", "/secretary/meetings/bodies/{body_id:\\d{1,9}}/schedule"),
    ("meetings_run", "/secretary/meetings/{meeting_id:\\d{1,9}}"),
    ("meetings_attendance", "/secretary/meetings/{meeting_id:\\d{1,9}}/attendance"),
    ("meetings_item_new", "/secretary/meetings/{meeting_id:\\d{1,9}}/items/new"),
    ("meetings_cancel", "/secretary/meetings/{meeting_id:\\d{1,9}}/cancel"),
    ("meetings_circulate", "/secretary/meetings/{meeting_id:\\d{1,9}}/circulate"),
    ("meetings_amend", "/secretary/meetings/{meeting_id:\\d{1,9}}/amend"),
    ("meetings_item", "/secretary/meetings/items/{item_id:\\d{1,9}}"),
    ("meetings_item_declare", "/secretary/meetings/items/{item_id:\\d{1,9}}/declare"),
    ("meetings_item_motion", "/secretary/meetings/items/{item_id:\\d{1,9}}/motion"),
    ("meetings_item_decision", "/secretary/meetings/items/{item_id:\\d{1,9}}/decision"),
    ("meetings_item_action", "/secretary/meetings/items/{item_id:\\d{1,9}}/action"),
    ("meetings_item_minutes", "/secretary/meetings/items/{item_id:\\d{1,9}}/minutes"),
    ("meetings_item_paper", "/secretary/meetings/items/{item_id:\\d{1,9}}/paper"),
    ("meetings_item_move", "/secretary/meetings/items/{item_id:\\d{1,9}}/move"),
    ("meetings_approve", "/secretary/meetings/items/{item_id:\\d{1,9}}/approve-minutes"),
    ("meetings_action_done", "/secretary/meetings/actions/{action_id:\\d{1,9}}/done"),
)

# The factory loading the object of each route that acts on one (``tmo.contexts``).
CONTEXTS = {
    "admin_account": AccountContext,
    "membership_withdraw": OwnApplicationContext,
    "membership_contact": OwnMembershipContext,
    "membership_resign": OwnMembershipContext,
    "application": ApplicationContext,
    "member_register_entry": RegisterEntryContext,
    "member_register_end": RegisterEntryContext,
    "member_register_erase": RegisterEntryContext,
    "member_register_contact": RegisterEntryContext,
    "notice": NoticeContext,
    "print_run": PrintRunContext,
    "print_run_pdf": PrintRunContext,
    "print_run_csv": PrintRunContext,
    "print_run_posted": PrintRunContext,
    "board_my_interests": OwnDirectorContext,
    "board_term_end": DirectorshipContext,
    "board_director": DirectorContext,
    "election": ElectionContext,
    "election_candidate_photo": CandidateContext,
    "election_nominate": ElectionContext,
    "election_nomination": CandidateContext,
    "election_support": CandidateContext,
    "election_consent": CandidateContext,
    "election_withdraw": CandidateContext,
    "election_ballot": ElectionContext,
    "election_cast": ElectionContext,
    "election_result": ElectionContext,
    "election_result_pdf": ElectionContext,
    "election_ballots": ElectionContext,
    "election_export": BallotExportContext,
    "election_manage": ElectionContext,
    "election_move": ElectionContext,
    "election_decide": CandidateContext,
    "election_cancel": ElectionContext,
    "election_paper": ElectionContext,
    "election_key": ElectionContext,
    "election_key_confirm": ElectionContext,
    "election_open_box": ElectionContext,
    "election_reissue": ElectionContext,
    "election_remind": ElectionContext,
    "vote_ballot": CodeVoterContext,
    "vote_cast": CodeVoterContext,
    "meetings_calendar_ics": CalendarFeedContext,
    "meetings_body": BodyContext,
    "meetings_body_ics": BodyContext,
    "meetings_meeting": MeetingContext,
    "meetings_minutes": MinutesContext,
    "meetings_minutes_pdf": MinutesContext,
    "meetings_agenda_pdf": MeetingContext,
    "meetings_paper": PaperContext,
    "meetings_record": MeetingContext,
    "meetings_record_pdf": MeetingContext,
    "meetings_record_agenda_pdf": MeetingContext,
    "meetings_sign": MeetingContext,
    "requisition_sign": RequisitionContext,
    "meetings_body_manage": BodyContext,
    "meetings_body_edit": BodyContext,
    "meetings_body_member_end": SeatContext,
    "meetings_schedule": BodyContext,
    "meetings_run": MeetingContext,
    "meetings_attendance": MeetingContext,
    "meetings_item_new": MeetingContext,
    "meetings_cancel": MeetingContext,
    "meetings_circulate": MeetingContext,
    "meetings_amend": MeetingContext,
    "meetings_item": ItemContext,
    "meetings_item_declare": ItemContext,
    "meetings_item_motion": ItemContext,
    "meetings_item_decision": ItemContext,
    "meetings_item_action": ItemContext,
    "meetings_item_minutes": ItemContext,
    "meetings_item_paper": ItemContext,
    "meetings_item_move": ItemContext,
    "meetings_approve": ItemContext,
    "meetings_action_done": ActionContext,
    "youth_proposal": ProposalContext,
    "youth_proposal_edit": ProposalContext,
    "youth_proposal_withdraw": ProposalContext,
    "youth_proposal_submit": ProposalContext,
    "youth_proposal_check": ProposalContext,
    "youth_proposal_interest": ProposalContext,
    "youth_proposal_vote": ProposalContext,
    "youth_proposal_count": ProposalContext,
    "youth_proposal_remind": ProposalContext,
    "youth_proposal_ratify": ProposalContext,
    "youth_proposal_spend": ProposalContext,
    "youth_proposal_report": ProposalContext,
    "youth_file": ProposalFileContext,
    "youth_photo": ReportPhotoContext,
    "youth_member": ForumMemberContext,
    "youth_chair": ChairContext,
    "youth_chair_vote": ChairElectionContext,
    "youth_chair_count": ChairElectionContext,
}


def record_route_methods(event):
    """Remember which methods each route answers, for the 405 page's Allow header."""
    registry = event.app.registry
    methods: dict[str, set[str]] = {}
    for item in registry.introspector.get_category("views"):
        view = item["introspectable"]
        route_name = view["route_name"]
        if route_name is None:
            continue
        allowed = view["request_methods"] or ("GET", "HEAD", "POST")
        if isinstance(allowed, str):
            allowed = (allowed,)
        methods.setdefault(route_name, set()).update(allowed)
    registry["route_methods"] = methods


def includeme(config):
    config.add_static_view(
        "static", "tmo:static", cache_max_age=3600, permission=NO_PERMISSION_REQUIRED
    )
    config.set_root_factory(site)
    for name, pattern in ROUTES:
        config.add_route(name, pattern, factory=CONTEXTS.get(name))
    config.add_subscriber(record_route_methods, ApplicationCreated)
    # What needs the person logged in: the front door's lines, gathered once a request, only
    # when a page asks (the navigation's count, the front door itself).
    config.add_request_method(front_door, "front_door", reify=True)
    config.scan("tmo.views")
