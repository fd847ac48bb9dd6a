"""Who may do what, in one table: for each permission, the lists of checks that grant it.

A permission is granted when every check of at least one of its lists holds for the person asking
(their :class:`~tmo.security.identity.Identity`) and the object asked about (the route's context,
loaded by its factory in ``tmo.contexts``). Most lists name a role; the rest add a fact about the
object: *this* election's returning officer, *this* proposal's proposer. The checks are the
hypothesis/h way: a predicate reads as the rule it is, and the table reads as the constitution
of who does what. (An ``__acl__`` per object would have to turn every such fact into principals
computed on every request.)

A refusal answers 403 (or sends someone not logged in to log in), except for the permissions in
CONCEALED: there a refusal answers 404, as if the page did not exist (a result before the count, a
nomination that is not yours).
"""

from collections.abc import Callable

from tmo.permissions import Permission, Role
from tmo.rules import meetings as meeting_rules
from tmo.rules.elections import CandidateStatus, Status
from tmo.rules.membership import ApplicationStatus
from tmo.rules.youth import ProposalStatus

Check = Callable[[object, object], bool]


def holds(role: Role) -> Check:
    def check(identity, context) -> bool:
        return role in identity.roles

    check.__name__ = f"holds_{role.value}"
    check.role = role
    return check


def is_member(identity, context) -> bool:
    """A current member of the TMO."""
    return identity.member is not None


# -- Elections ------------------------------------------------------------------------------------


def election_announced(identity, context) -> bool:
    """Anyone may know of an election once it is no longer being set up."""
    return context.election.status is not Status.DRAFT


def officiates(identity, context) -> bool:
    """The election's returning officer or its independent scrutineer."""
    election = context.election
    return identity.account_id is not None and identity.account_id in (
        election.returning_officer_id,
        election.scrutineer_id,
    )


def runs_election(identity, context) -> bool:
    """The election's own returning officer."""
    return (
        identity.account_id is not None
        and identity.account_id == context.election.returning_officer_id
    )


def on_the_roll(identity, context) -> bool:
    return context.roll_entry is not None


def gave_a_voting_code(identity, context) -> bool:
    """Whoever gave a poll card's code (and their postcode or date of birth) at /vote, for the
    roll entry it opened, while its pass lasts."""
    return getattr(context, "opened_by_code", None) is not None


def result_visible(identity, context) -> bool:
    """A declared result is public; a count not yet declared is for those who officiate."""
    status = context.election.status
    return status is Status.DECLARED or (status is Status.COUNTED and officiates(identity, context))


def ballots_published(identity, context) -> bool:
    return context.ballots_published


def box_opened(identity, context) -> bool:
    """The ballot box has been opened at the count: its ballots are readable, unlinked."""
    election = context.election
    return election.roll_frozen_on is not None and election.counted_at is not None


def is_the_key_holder(identity, context) -> bool:
    """The holder of the election's sealing key: its scrutineer, or its returning officer where
    it has none."""
    election = context.election
    holder = election.scrutineer_id or election.returning_officer_id
    return identity.account_id is not None and identity.account_id == holder


def involved_in_nomination(identity, context) -> bool:
    """The candidate, whoever nominated them, or a proposer or seconder."""
    member = identity.member
    candidate = context.candidate
    return member is not None and member.id in (
        candidate.member_id,
        candidate.nominated_by_id,
        *(s.member_id for s in candidate.supporters),
    )


def supports_nomination(identity, context) -> bool:
    return context.supporter is not None


def is_the_candidate(identity, context) -> bool:
    member = identity.member
    return member is not None and member.id == context.candidate.member_id


def candidate_shown(identity, context) -> bool:
    """An accepted candidate's photo is public."""
    return (
        context.candidate.photo is not None and context.candidate.status == CandidateStatus.ACCEPTED
    )


def own_photo(identity, context) -> bool:
    return context.candidate.photo is not None and is_the_candidate(identity, context)


# -- Meetings -------------------------------------------------------------------------------------


def sits_on_the_body(identity, context) -> bool:
    """A member of the meeting's body on the day of the meeting."""
    return context.asker_sits_on_the_body


def minutes_published(identity, context) -> bool:
    """Minutes are published once the chair has signed them."""
    return meeting_rules.published(context.meeting.minutes_state)


def paper_not_confidential(identity, context) -> bool:
    return not context.item.confidential


# Who reads a meeting's whole record: the board's officers and the scrutineer for every body,
# anyone for the meetings of a body they sit on.
RECORD_READERS: list[list[Check]] = [
    [holds(Role.DIRECTOR)],
    [holds(Role.CHAIR)],
    [holds(Role.SECRETARY)],
    [holds(Role.SCRUTINEER)],
    [sits_on_the_body],
]


# -- The Youth Forum ------------------------------------------------------------------------------


def in_youth_forum(identity, context) -> bool:
    """A member of the Youth Forum today (members age out on a birthday, by date)."""
    return identity.in_youth_forum


def proposal_sent(identity, context) -> bool:
    """A proposal may be known of once its proposer has sent it: a draft is theirs alone."""
    return context.proposal.status != ProposalStatus.DRAFT


def proposes_it(identity, context) -> bool:
    """The forum member who proposed this proposal."""
    member = identity.youth_member
    return member is not None and member.id == context.proposal.proposer_id


# -- Membership, the board, accounts and administration -------------------------------------------


def applied(identity, context) -> bool:
    """The application is the asker's own, and waits for a decision."""
    application = context.application
    return (
        application is not None
        and identity.account_id is not None
        and application.account_id == identity.account_id
        and application.status == ApplicationStatus.SUBMITTED
    )


def is_the_member(identity, context) -> bool:
    """The membership is the asker's own, and current."""
    member = context.member
    return (
        member is not None
        and identity.account_id is not None
        and member.account_id == identity.account_id
        and member.is_active
    )


def membership_current(identity, context) -> bool:
    """The entry in the register is of a current member."""
    return context.member.is_active


def is_the_director(identity, context) -> bool:
    """The director is the asker."""
    director = context.director
    return director is not None and director.account_id == identity.account_id


# -- The table ------------------------------------------------------------------------------------

R = Role
P = Permission

PERMITS: dict[Permission, list[list[Check]]] = {
    # Accounts and administration
    P.ACCOUNT_SELF_MANAGE: [[holds(R.RESIDENT)]],
    P.ADMIN_ACCOUNTS_READ: [[holds(R.SECRETARY)], [holds(R.ADMINISTRATOR)]],
    P.ADMIN_ROLES_GRANT: [[holds(R.ADMINISTRATOR)]],
    P.ADMIN_CONSTITUTION_EDIT: [[holds(R.ADMINISTRATOR)]],
    P.ADMIN_AUDIT_READ: [[holds(R.SECRETARY)], [holds(R.SCRUTINEER)], [holds(R.ADMINISTRATOR)]],
    P.ADMIN_PROPERTIES_IMPORT: [[holds(R.SECRETARY)], [holds(R.ADMINISTRATOR)]],
    # Membership
    P.MEMBERSHIP_SELF_MANAGE: [[holds(R.RESIDENT)]],
    P.MEMBERSHIP_APPLICATION_WITHDRAW: [[holds(R.RESIDENT), applied]],
    P.MEMBERSHIP_MEMBER_OWN: [[holds(R.RESIDENT), is_the_member]],
    P.MEMBERSHIP_APPLICATIONS_DECIDE: [[holds(R.SECRETARY)]],
    P.MEMBERSHIP_REGISTER_READ: [
        [holds(R.SECRETARY)],
        [holds(R.SCRUTINEER)],
        [holds(R.ADMINISTRATOR)],
    ],
    P.MEMBERSHIP_REGISTER_EXPORT: [[holds(R.SECRETARY)]],
    P.MEMBERSHIP_MEMBER_END: [[holds(R.SECRETARY)]],
    P.MEMBERSHIP_MEMBER_ERASE: [[holds(R.SECRETARY)], [holds(R.ADMINISTRATOR)]],
    P.MEMBERSHIP_MEMBER_CORRECT: [[holds(R.SECRETARY)]],
    P.MEMBERSHIP_APPLICATION_ENTER: [[holds(R.SECRETARY)]],
    P.MEMBERSHIP_CONTACT_RECORD: [[holds(R.SECRETARY), membership_current]],
    # The board
    P.BOARD_MANAGE: [[holds(R.SECRETARY)]],
    P.BOARD_INTERESTS_DECLARE: [[holds(R.DIRECTOR)]],
    P.BOARD_INTERESTS_OWN: [[holds(R.DIRECTOR), is_the_director]],
    # Meetings
    P.MEETINGS_MANAGE: [[holds(R.SECRETARY)]],
    P.MEETINGS_RECORD_READ: RECORD_READERS,
    P.MEETINGS_MINUTES_READ: [[minutes_published]],
    P.MEETINGS_PAPER_READ: [[paper_not_confidential], *RECORD_READERS],
    P.MEETINGS_MINUTES_SIGN: [[holds(R.CHAIR)]],
    P.MEETINGS_APOLOGIES_SEND: [[sits_on_the_body]],
    P.MEETINGS_REQUISITIONS_READ: [[holds(R.MEMBER)]],
    P.MEETINGS_REQUISITION_SIGN: [[holds(R.MEMBER), is_member]],
    P.MEETINGS_CALENDAR_OWN: [[holds(R.RESIDENT)]],
    # Notices and the letters printed for them
    P.NOTICES_MANAGE: [[holds(R.SECRETARY)]],
    # Elections
    P.ELECTIONS_READ: [[election_announced], [officiates]],
    P.ELECTIONS_NOMINATE: [[holds(R.MEMBER), is_member]],
    P.ELECTIONS_NOMINATION_READ: [[holds(R.MEMBER), involved_in_nomination]],
    P.ELECTIONS_SUPPORT: [[holds(R.MEMBER), supports_nomination]],
    P.ELECTIONS_STAND: [[holds(R.MEMBER), is_the_candidate]],
    P.ELECTIONS_CANDIDATE_PHOTO: [[candidate_shown], [own_photo]],
    P.ELECTIONS_VOTE: [[holds(R.MEMBER), on_the_roll]],
    P.ELECTIONS_VOTE_BY_CODE: [[gave_a_voting_code]],
    P.ELECTIONS_RESULT_READ: [[result_visible]],
    P.ELECTIONS_BALLOTS_READ: [[ballots_published]],
    P.ELECTIONS_BALLOTS_EXPORT: [[ballots_published, box_opened]],
    P.ELECTIONS_OFFICIATE: [[holds(R.RETURNING_OFFICER)], [holds(R.SCRUTINEER)]],
    P.ELECTIONS_SET_UP: [[holds(R.RETURNING_OFFICER)]],
    P.ELECTIONS_OBSERVE: [
        [holds(R.RETURNING_OFFICER), officiates],
        [holds(R.SCRUTINEER), officiates],
    ],
    P.ELECTIONS_RUN: [[holds(R.RETURNING_OFFICER), runs_election]],
    P.ELECTIONS_KEY_HOLD: [
        [holds(R.SCRUTINEER), is_the_key_holder],
        [holds(R.RETURNING_OFFICER), is_the_key_holder],
    ],
    # The Youth Forum
    P.YOUTH_JOIN: [[holds(R.RESIDENT)]],
    P.YOUTH_READ: [
        [holds(R.DIRECTOR)],
        [holds(R.CHAIR)],
        [holds(R.SECRETARY)],
        [holds(R.YOUTH_MEMBER)],
        [holds(R.YOUTH_WORKER)],
    ],
    P.YOUTH_TAKE_PART: [[holds(R.YOUTH_MEMBER)]],
    P.YOUTH_MANAGE: [[holds(R.YOUTH_WORKER)]],
    P.YOUTH_NAMES_READ: [[holds(R.YOUTH_WORKER)]],
    P.YOUTH_PROPOSAL_READ: [[proposal_sent], [proposes_it]],
    P.YOUTH_PROPOSAL_EDIT: [[holds(R.YOUTH_MEMBER), in_youth_forum, proposes_it]],
    P.YOUTH_PROPOSAL_VOTE: [[holds(R.YOUTH_MEMBER), in_youth_forum]],
    P.YOUTH_PROPOSAL_MANAGE: [[holds(R.YOUTH_WORKER)]],
    P.YOUTH_PROPOSAL_RATIFY: [[holds(R.SECRETARY)]],
    P.YOUTH_PROPOSAL_REPORT: [
        [holds(R.YOUTH_WORKER)],
        [holds(R.YOUTH_MEMBER), in_youth_forum, proposes_it],
    ],
    P.YOUTH_CHAIR_VOTE: [[holds(R.YOUTH_MEMBER), in_youth_forum]],
}

# A refusal of these answers 404: the page does not exist for that person (yet).
CONCEALED = frozenset(
    {
        P.ELECTIONS_READ,
        P.ELECTIONS_NOMINATION_READ,
        P.ELECTIONS_CANDIDATE_PHOTO,
        P.ELECTIONS_RESULT_READ,
        P.ELECTIONS_BALLOTS_READ,
        P.ELECTIONS_BALLOTS_EXPORT,
        P.MEETINGS_MINUTES_READ,
        P.MEETINGS_PAPER_READ,
        P.MEETINGS_REQUISITION_SIGN,
        P.YOUTH_PROPOSAL_READ,
    }
)


def first_granting(permission, identity, context) -> list[Check] | None:
    """The first list of checks that grants ``permission``, or None if none does."""
    for checks in PERMITS.get(permission, ()):
        if all(check(identity, context) for check in checks):
            return checks
    return None
