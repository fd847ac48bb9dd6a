"""The names of who may do what: the roles of a TMO and the permissions.

Permissions are named ``scope:resource:action``. Every view declares one of them, or stands on the
explicit list of public routes; a test walks every registered view to prove it. Which roles and
which facts about an object grant each permission is the table in ``tmo.security.permits``.
"""

import enum


class Role(enum.StrEnum):
    """The roles of DOMAIN.md section 7. Anyone with an account is a resident; a person may hold
    several roles at once."""

    RESIDENT = "resident"
    MEMBER = "member"
    DIRECTOR = "director"
    CHAIR = "chair"
    SECRETARY = "secretary"
    RETURNING_OFFICER = "returning_officer"
    SCRUTINEER = "scrutineer"
    YOUTH_MEMBER = "youth_member"
    YOUTH_WORKER = "youth_worker"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RESIDENT: "Resident",
    Role.MEMBER: "Member",
    Role.DIRECTOR: "Director (board member)",
    Role.CHAIR: "Chair",
    Role.SECRETARY: "Secretary",
    Role.RETURNING_OFFICER: "Returning officer",
    Role.SCRUTINEER: "Independent scrutineer",
    Role.YOUTH_MEMBER: "Youth forum member",
    Role.YOUTH_WORKER: "Youth worker",
    Role.ADMINISTRATOR: "Administrator",
}

# Roles an administrator grants by hand; "resident" comes with every account.
GRANTABLE_ROLES = tuple(role for role in Role if role is not Role.RESIDENT)


class Permission(enum.StrEnum):
    ACCOUNT_SELF_MANAGE = "account:self:manage"
    MEMBERSHIP_SELF_MANAGE = "membership:self:manage"
    # The asker's own application while it waits for a decision, and their own membership.
    MEMBERSHIP_APPLICATION_WITHDRAW = "membership:application:withdraw"
    MEMBERSHIP_MEMBER_OWN = "membership:member:own"
    MEMBERSHIP_APPLICATIONS_DECIDE = "membership:applications:decide"
    MEMBERSHIP_REGISTER_READ = "membership:register:read"
    MEMBERSHIP_REGISTER_EXPORT = "membership:register:export"
    MEMBERSHIP_MEMBER_END = "membership:member:end"
    MEMBERSHIP_MEMBER_ERASE = "membership:member:erase"
    # Correcting a register entry's name, address or date of birth, with a reason.
    MEMBERSHIP_MEMBER_CORRECT = "membership:member:correct"
    # Staff acting for a resident who phoned or came in: entering their application to join,
    # and recording how a current member wants to be contacted.
    MEMBERSHIP_APPLICATION_ENTER = "membership:application:enter"
    MEMBERSHIP_CONTACT_RECORD = "membership:contact:record"
    ADMIN_PROPERTIES_IMPORT = "admin:properties:import"
    BOARD_MANAGE = "board:seats:manage"
    BOARD_INTERESTS_DECLARE = "board:interests:declare"
    # A director's own declarations, as that director.
    BOARD_INTERESTS_OWN = "board:interests:own"
    MEETINGS_MANAGE = "meetings:meetings:manage"
    # The full record of one meeting, confidential items included: the board's officers and the
    # scrutineer for every body, and the members of the meeting's own body.
    MEETINGS_RECORD_READ = "meetings:record:read"
    # A meeting's public minutes: they exist once signed.
    MEETINGS_MINUTES_READ = "meetings:minutes:read"
    # A paper of an agenda item: anyone's, but a confidential item's only the record's readers'.
    MEETINGS_PAPER_READ = "meetings:paper:read"
    MEETINGS_MINUTES_SIGN = "meetings:minutes:sign"
    # Sending one's own apologies for a meeting: a member of the meeting's body.
    MEETINGS_APOLOGIES_SEND = "meetings:apologies:send"
    # Members see the requisitions of a general meeting; a current member starts or signs one.
    MEETINGS_REQUISITIONS_READ = "meetings:requisitions:read"
    MEETINGS_REQUISITION_SIGN = "meetings:requisition:sign"
    MEETINGS_CALENDAR_OWN = "meetings:calendar:own"
    # The notices sent and what became of them; printing the letters and marking them posted.
    NOTICES_MANAGE = "notices:notices:manage"
    ADMIN_ACCOUNTS_READ = "admin:accounts:read"
    ADMIN_ROLES_GRANT = "admin:roles:grant"
    ADMIN_CONSTITUTION_EDIT = "admin:constitution:edit"
    ADMIN_AUDIT_READ = "admin:audit:read"
    # Elections: knowing of one (any but those being set up, or those who officiate at it).
    ELECTIONS_READ = "elections:election:read"
    ELECTIONS_NOMINATE = "elections:nominations:make"
    ELECTIONS_NOMINATION_READ = "elections:nomination:read"
    ELECTIONS_SUPPORT = "elections:nomination:support"
    ELECTIONS_STAND = "elections:nomination:stand"
    ELECTIONS_CANDIDATE_PHOTO = "elections:candidate:photo"
    ELECTIONS_VOTE = "elections:ballot:cast"
    # Voting at /vote with a poll card's code: whoever holds the pass the code gave them.
    ELECTIONS_VOTE_BY_CODE = "elections:ballot:cast_by_code"
    ELECTIONS_RESULT_READ = "elections:result:read"
    ELECTIONS_BALLOTS_READ = "elections:ballots:read"
    # The anonymised ballots' file: once the box is opened (before, they are sealed).
    ELECTIONS_BALLOTS_EXPORT = "elections:ballots:export"
    # The list of elections a returning officer or scrutineer officiates at.
    ELECTIONS_OFFICIATE = "elections:elections:officiate"
    ELECTIONS_SET_UP = "elections:elections:create"
    # Reading an election's working pages: its returning officer or its named scrutineer.
    ELECTIONS_OBSERVE = "elections:election:observe"
    # Running one is for its own returning officer alone.
    ELECTIONS_RUN = "elections:election:run"
    # Making, confirming and bringing the sealing key: the election's scrutineer, or its
    # returning officer where it has none.
    ELECTIONS_KEY_HOLD = "elections:key:hold"
    YOUTH_JOIN = "youth:membership:apply"
    YOUTH_READ = "youth:budget:read"
    YOUTH_TAKE_PART = "youth:proposals:propose"
    YOUTH_MANAGE = "youth:forum:manage"
    # A young person's full name (others see an under-18's first name only).
    YOUTH_NAMES_READ = "youth:members:names"
    # A proposal: knowing of it (a draft is its proposer's own), and its steps, by who takes them.
    YOUTH_PROPOSAL_READ = "youth:proposal:read"
    # Changing, sending and withdrawing it: its proposer, while in the forum.
    YOUTH_PROPOSAL_EDIT = "youth:proposal:edit"
    # Voting on it, or declaring an interest instead.
    YOUTH_PROPOSAL_VOTE = "youth:proposal:vote"
    # The youth worker's steps: the check, the count of the forum's vote and the spend.
    YOUTH_PROPOSAL_MANAGE = "youth:proposal:manage"
    YOUTH_PROPOSAL_RATIFY = "youth:proposal:ratify"
    YOUTH_PROPOSAL_REPORT = "youth:proposal:report"
    YOUTH_CHAIR_VOTE = "youth:chair:vote"


# Routes anyone may reach. A view on any other route must name a Permission.
PUBLIC_ROUTES = frozenset(
    {
        "__static/",
        "home",
        "constitution",
        "privacy",
        "accessibility",
        "contact",
        "register",
        "register_sent",
        "verify_email",
        "login",
        "logout",
        "password_forgotten",
        "password_reset",
        "board",
        "board_csv",
        "board_interests",
        "elections",
        "election",
        "vote",
        "youth",
        "youth_photo",
        "meetings",
        "meetings_body",
        "meetings_body_ics",
        "meetings_calendar_ics",
        "meetings_meeting",
        "meetings_minutes",
        "meetings_minutes_pdf",
        "meetings_agenda_pdf",
        "meetings_paper",
    }
)

# The permission of any view that forgets to name one: held by nobody, so it is refused.
UNLABELLED_VIEW_PERMISSION = "tmo:unlabelled-view:deny"
