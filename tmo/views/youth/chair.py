"""The Youth Forum's chair: who chairs it and who chaired it, and the forum electing the next
one (the youth worker opens the vote and counts it; forum members vote)."""

from pyramid.view import view_config

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.schemas.youth import ConfirmSchema, chair_open_schema, chair_vote_schema
from tmo.services import youth
from tmo.views import READ
from tmo.views.youth import forum_member, name_for


@view_config(
    route_name="youth_chair",
    renderer="youth/chair.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def chair(context, request):
    dbsession = request.dbsession
    election = context.election
    member = request.identity.youth_member
    may_vote = (
        election is not None
        and request.has_permission(Permission.YOUTH_CHAIR_VOTE, context)
        and youth.chair_vote_of(dbsession, election, member) is None
        and request.today < election.closes_on
    )
    return {
        "current": youth.chair_on(dbsession, request.today),
        "election": election,
        "last": youth.last_counted_chair_election(dbsession),
        "history": youth.chair_history(dbsession),
        "may_vote": may_vote,
        "name_for": name_for(request, context),
    }


class ChairFormPage(FormPage):
    """A form about the forum's chair, which goes back to the chair's page."""

    def back(self):
        return (self.request.route_url("youth_chair"), "Back to the chair")


@form_page("youth_chair_open", "form.jinja2", Permission.YOUTH_MANAGE)
class ChairOpenPage(ChairFormPage):
    submit_label = "Open the vote"
    heading = "Elect the forum's chair"

    def intro(self):
        return [
            "Forum members vote for one candidate; the one with most votes chairs the forum and "
            "sits on the TMO's board while they chair."
        ]

    def candidates(self):
        return youth.forum_members(
            self.request.dbsession, self.request.constitution, self.request.today
        )

    def make_schema(self):
        choices = [(str(m.id), youth.full_name(m)) for m in self.candidates()]
        return chair_open_schema(choices).bind(request=self.request)

    def succeed(self, form, appstruct):
        chosen = {int(value) for value in appstruct["candidates"]}
        youth.open_chair_election(
            self.request.dbsession,
            self.request.constitution,
            candidates=[m for m in self.candidates() if m.id in chosen],
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.redirect("youth_chair", "The vote for the chair is open.")


@form_page("youth_chair_vote", "form.jinja2", Permission.YOUTH_CHAIR_VOTE)
class ChairVotePage(ChairFormPage):
    submit_label = "Cast my vote"
    heading = "Vote for the forum's chair"

    def make_schema(self):
        name = name_for(self.request, self.context)
        choices = [(str(c.id), name(c.member)) for c in self.context.election.candidates]
        return chair_vote_schema(choices).bind(request=self.request)

    def succeed(self, form, appstruct):
        youth.cast_chair_vote(
            self.request.dbsession,
            self.context.election,
            forum_member(self.request),
            candidate_id=int(appstruct["candidate"]),
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.redirect("youth_chair", "Your vote is in. Thank you!")


@form_page("youth_chair_count", "form.jinja2", Permission.YOUTH_MANAGE)
class ChairCountPage(ChairFormPage):
    schema = ConfirmSchema
    submit_label = "Count the votes"
    heading = "Count the votes for the chair"

    def succeed(self, form, appstruct):
        notes = youth.count_chair_election(
            self.request.dbsession,
            self.request.constitution,
            self.context.election,
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        for note in notes[:-1]:
            self.request.session.flash(note, "success")
        return self.redirect("youth_chair", notes[-1])
