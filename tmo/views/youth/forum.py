"""The Youth Forum as everyone sees it (the year's money and what it was spent on, with no young
person's name, and the report photos), and a young person's own forum: joining, their page, and
leaving."""

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.rules import youth as rules
from tmo.rules.notices import Channel
from tmo.rules.youth import MemberStatus
from tmo.schemas.youth import ConfirmSchema, contact_schema, join_schema
from tmo.services import files, youth
from tmo.views import READ
from tmo.views.youth import budget_values, forum_member


@view_config(
    route_name="youth",
    renderer="youth/public.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def public_summary(request):
    """What residents and the board may read: the year's money and what it was spent on (no
    young person's name)."""
    values = budget_values(request)
    year = values["year"]
    funded = youth.funded_proposals(request.dbsession, year) if year is not None else []
    return {**values, "funded": funded, "statuses": rules.STATUSES}


@view_config(route_name="youth_photo", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def photo(context, request):
    """A report's photo, kept only with consent recorded: shown to anyone."""
    return files.download(context.photo.file, inline=True)


@view_config(
    route_name="youth_forum",
    renderer="youth/forum.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_JOIN,
)
def forum(request):
    day = request.today
    constitution = request.constitution
    member = request.identity.youth_member
    notice = None
    ends = None
    if member is not None and member.status == MemberStatus.APPROVED:
        ends = youth.member_ends(member, constitution)
        notice = rules.ageing_out_notice(
            member.date_of_birth, member.left_on, constitution.youth, day
        )
    return {
        "member": member,
        "in_forum": request.identity.in_youth_forum,
        "ends": ends,
        "notice": notice,
        "under_18": member is not None
        and rules.age_on(member.date_of_birth, day) < rules.ADULT_AGE,
    }


class ForumPage(FormPage):
    """A young person's own form about their place in the forum."""

    def back(self):
        return (self.request.route_url("youth_forum"), "Back to the Youth Forum")


@form_page("youth_join", "form.jinja2", Permission.YOUTH_JOIN)
class JoinPage(ForumPage):
    submit_label = "Ask to join"
    heading = "Join the Youth Forum"

    def intro(self):
        rules_ = self.request.constitution.youth
        return [
            f"The Youth Forum is for young people aged {rules_.minimum_age} to "
            f"{rules_.maximum_age} who live in the area. Members suggest ideas, vote on them "
            f"and decide how to spend {rules.format_pounds(rules_.annual_budget_pence)} a year.",
            "A youth worker checks every request to join. Until you are 18, other members see "
            "only your first name, and nobody sees a photo of you or how to contact you.",
        ]

    def make_schema(self):
        return join_schema(self.request.account.email, self.request.constitution.youth).bind(
            request=self.request
        )

    def get(self):
        if self.request.identity.youth_member is not None:
            return HTTPFound(self.request.route_url("youth_forum"))
        return super().get()

    def succeed(self, form, appstruct):
        youth_rules = self.request.constitution.youth
        if rules.too_young(appstruct["date_of_birth"], youth_rules, self.request.today):
            # Nothing of theirs is kept (nothing is written), or shown back to them.
            return render_to_response(
                "youth/too_young.jinja2",
                {"message": rules.too_young_message(youth_rules)},
                request=self.request,
            )
        member = youth.apply_to_join(
            self.request.dbsession,
            self.request.constitution,
            account=self.request.account,
            first_name=appstruct["first_name"],
            surname=appstruct["surname"],
            born=appstruct["date_of_birth"],
            postcode=appstruct["postcode"],
            today=self.request.today,
        )
        youth.choose_youth_contact(
            self.request,
            member,
            self.request.account.email,
            Channel(appstruct["contact_by"]),
            appstruct["address"],
        )
        return self.redirect(
            "youth_forum", "Thank you! A youth worker will look at your request soon."
        )


@form_page("youth_contact", "form.jinja2", Permission.YOUTH_TAKE_PART)
class ContactPage(ForumPage):
    submit_label = "Save"
    heading = "How we contact you"

    def make_schema(self):
        return contact_schema(self.request.account.email).bind(request=self.request)

    def get(self):
        try:
            forum_member(self.request)
        except youth.YouthError as refusal:
            self.request.session.flash(str(refusal), "warning")
            return HTTPFound(self.request.route_url("youth_forum"))
        return super().get()

    def initial(self):
        member = forum_member(self.request)
        agreed = member.contact_by == Channel.EMAIL and member.email_agreed_at is not None
        return {
            "contact_by": (Channel.EMAIL if agreed else Channel.POST).value,
            "address": member.address,
        }

    def succeed(self, form, appstruct):
        youth.choose_youth_contact(
            self.request,
            forum_member(self.request),
            self.request.account.email,
            Channel(appstruct["contact_by"]),
            appstruct["address"],
        )
        return self.redirect("youth_forum", "How we contact you has been saved.")


@form_page("youth_leave", "form.jinja2", Permission.YOUTH_TAKE_PART)
class LeavePage(ForumPage):
    schema = ConfirmSchema
    submit_label = "Leave the Youth Forum"
    heading = "Leave the Youth Forum"

    def intro(self):
        return [
            "You will no longer suggest ideas or vote. Ideas you suggested stay, so the forum "
            "can finish them. If you chair the forum, you stop chairing it today."
        ]

    def succeed(self, form, appstruct):
        youth.leave_forum(
            self.request.dbsession,
            forum_member(self.request),
            on=self.request.today,
            actor_id=self.request.account.id,
        )
        return self.redirect("youth_forum", "You have left the Youth Forum. Thank you!")
