"""/vote: voting without an account, with the code on the poll card and the voter's postcode or
date of birth. A code that opens a voter's roll entry gives the browser a short-lived signed
pass naming that entry (never the code), and the ballot, review and receipt pages that follow
are the logged-in member's own (``ballot``) on the ``/vote/ballot`` routes."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED

from tmo.contexts.elections import VOTING_PASS_COOKIE
from tmo.forms import FormPage, form_page
from tmo.schemas.elections import code_vote_schema
from tmo.services import elections
from tmo.services.elections.codes import FACT_NAMES, PASS_LIFETIME


def throttled_page(request, error: elections.CodeThrottled) -> dict:
    request.override_renderer = "errors/error.jinja2"
    request.response.status = 429
    request.response.headers["Retry-After"] = str(error.retry_after)
    return {"title": "Too many attempts", "message": str(error)}


@form_page("vote", "form.jinja2", NO_PERMISSION_REQUIRED)
class VoteWithCodePage(FormPage):
    heading = "Vote with the code on your poll card"
    submit_label = "Continue to the ballot"

    def make_schema(self):
        return code_vote_schema(self.request.constitution.elections.code_check).bind(
            request=self.request
        )

    def intro(self):
        fact = FACT_NAMES[self.request.constitution.elections.code_check]
        return [
            "You do not need an account. Enter the voting code printed on your poll card and "
            f"your {fact}; you then see your ballot, check it and cast it.",
            "Lost your code? Ask the returning officer for a new one. Members with an account "
            "can also log in and vote.",
        ]

    def succeed(self, form, appstruct):
        request = self.request
        entry = elections.redeem(
            request, appstruct["code"], appstruct["fact"], request.client_addr or "unknown"
        )
        response = HTTPSeeOther(request.route_url("vote_ballot"))
        response.set_cookie(
            VOTING_PASS_COOKIE,
            elections.issue_pass(request.registry.settings["tmo.secret"], entry, request.now),
            max_age=int(PASS_LIFETIME.total_seconds()),
            path=request.route_path("vote"),
            httponly=True,
            samesite="Strict",
            secure=request.registry.settings["tmo.secure_cookies"],
        )
        return response

    def refused(self, form, refusal):
        if isinstance(refusal, elections.CodeThrottled):
            return throttled_page(self.request, refusal)
        return super().refused(form, refusal)
