"""The returning officer reaching voters while the poll is open: a new voting code for a voter
who lost theirs (a new poll card by their channel; no page ever shows a code), and a reminder
to those who have not voted (the page tells how many were reminded, never who)."""

from tmo.forms import form_page
from tmo.permissions import Permission
from tmo.schemas.elections import ReissueCodeSchema, RemindSchema
from tmo.services import elections
from tmo.views.elections.officer import ReturningOfficerPage


@form_page("election_reissue", "form.jinja2", Permission.ELECTIONS_RUN)
class ReissueCodePage(ReturningOfficerPage):
    schema = ReissueCodeSchema
    submit_label = "Send a new poll card"
    heading = "A new voting code for a voter"
    default_field = "member"

    def intro(self):
        return [
            "For a voter on the roll who has lost their poll card. Their old code stops working "
            "at once, and a new poll card with a new code goes to them by email or by post, as "
            "they chose to be contacted. Nobody, you included, sees the code.",
        ]

    def succeed(self, form, appstruct):
        member, reach = elections.reissue(
            self.request, self.context.election, appstruct["member"], self.request.account.id
        )
        return self.redirect(
            "election_manage",
            f"A new poll card for {member.name}: {reach.summary()} Their old code no longer works.",
            election_id=self.context.election.id,
        )


@form_page("election_remind", "form.jinja2", Permission.ELECTIONS_RUN)
class RemindPage(ReturningOfficerPage):
    schema = RemindSchema
    submit_label = "Remind those who have not voted"
    heading = "Remind those who have not voted"
    default_field = "confirm"

    def intro(self):
        voted, on_roll = elections.turnout(self.request.dbsession, self.context.election)
        return [
            f"{on_roll - voted} of the {on_roll} voters on the roll have not voted yet. Each is "
            "sent a reminder by email, or by letter for the next print run, saying how to vote "
            "and to ask you for a new code if they have lost their poll card.",
            "You are told how many were reminded, never who.",
        ]

    def succeed(self, form, appstruct):
        reach = elections.remind(
            self.request,
            self.context.election,
            self.request.account.id,
            again=appstruct["confirm"],
        )
        return self.redirect(
            "election_manage",
            f"Reminders sent to {reach.total} voter{'s' if reach.total != 1 else ''}: "
            f"{reach.summary()}",
            election_id=self.context.election.id,
        )
