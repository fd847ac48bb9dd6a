"""The pages every footer links to, GOV.UK's pattern: the privacy notice (what tmo keeps, why and
for how long, read from the constitution in force), the accessibility statement and how to contact
the TMO (the constitution's contact details). Public: no log-in needed."""

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.views import READ


def _contact(request) -> dict:
    rules = request.constitution
    details = rules.contact
    return {
        "organisation": rules.organisation_name,
        "details": details,
        "contact_rows": [
            (title, value)
            for title, value in (
                ("Office", details.office_address),
                ("Email", details.email),
                ("Phone", details.phone),
                ("Opening hours", details.opening_hours),
            )
            if value
        ],
    }


@view_config(
    route_name="privacy",
    renderer="about/privacy.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def privacy(request):
    rules = request.constitution
    return {
        **_contact(request),
        "kept": kept(rules),
        "data_contact": rules.contact.data_protection_contact or "the secretary",
    }


def kept(rules) -> list[tuple[str, str, str]]:
    """(what tmo keeps, why, for how long), the periods the constitution's."""
    youth = rules.youth
    return [
        (
            "The register of members: your name, address, member number, the date you joined "
            "and the date you left",
            "The law requires it (Companies Act 2006 s113; UK GDPR article 6(1)(c), legal "
            "obligation).",
            f"While you are a member, then {rules.membership.register_retention_years} years "
            "after you leave; then only the number and the dates remain.",
        ),
        (
            "Your date of birth, email address, phone number and how you want to be sent notices",
            "To check you may join and vote, and to send you notices of meetings and elections "
            "the way you chose.",
            "While you are a member; erased earlier if you ask, except what the register must "
            "keep.",
        ),
        (
            "Your application to join",
            "To decide it and to show how it was decided.",
            "With your register entry; its date of birth and email are erased with your entry's.",
        ),
        (
            "Your account: your name, email address and a hash of your password (never the "
            "password)",
            "To let you log in, at your request.",
            "Until you ask us to close it; your log-in session is deleted when you log out.",
        ),
        (
            "Elections: whether you voted, never how",
            "One member, one vote. Your ballot is kept with no link to you, so nobody, the TMO "
            "included, can tell how you voted.",
            "With the election's result; the hash of your voting code is dropped when the "
            "ballots are counted.",
        ),
        (
            "Meetings: attendance, apologies, declarations of interest and the minutes",
            "The law requires minutes and the register of directors' interests (Companies Act "
            "2006 s248 and s355).",
            f"At least {rules.meetings.minutes_retention_years} years from the meeting.",
        ),
        (
            f"The Youth Forum: young people aged {youth.minimum_age} to {youth.maximum_age}, "
            "their name, date of birth and what they propose and vote on",
            "To run the forum and account for its budget. The profiles of under-18s are "
            "private: no public surnames or photographs.",
            "While they are in the forum, and the forum's accounts as long as the TMO's.",
        ),
        (
            "A record of who changed what, and when (the audit log)",
            "To show that the register, elections and minutes were kept honestly.",
            "As long as the records it is about.",
        ),
    ]


@view_config(
    route_name="accessibility",
    renderer="about/accessibility.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
@view_config(
    route_name="contact",
    renderer="about/contact.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def contact(request):
    return _contact(request)
