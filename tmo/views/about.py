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
        "register_years": rules.membership.register_retention_years,
        "minutes_years": rules.meetings.minutes_retention_years,
        "youth_minimum_age": rules.youth.minimum_age,
        "youth_maximum_age": rules.youth.maximum_age,
        "data_contact": rules.contact.data_protection_contact or "the secretary",
    }


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
