"""One item at the meeting: its page (live quorum, papers, declarations, motions, decisions,
actions, the minute), recording each of them, its place on the agenda, approving the last
meeting's minutes under its standing item; and marking an action done."""

from functools import cached_property

from pyramid.view import view_config

from tmo.forms import act, form_page
from tmo.permissions import Permission
from tmo.rules import meetings as rules
from tmo.schemas import meetings as schemas
from tmo.services import meetings
from tmo.views import READ
from tmo.views.meetings import LABELS, SecretaryPage, upload_of


@view_config(
    route_name="meetings_item",
    renderer="meetings/item.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_MANAGE,
)
def item_page(context, request):
    item, meeting = context.item, context.meeting
    dbsession = request.dbsession
    return {
        "item": item,
        "meeting": meeting,
        "quorum": meetings.item_quorum(dbsession, request.constitution, item),
        "editable": rules.record_editable(meeting.minutes_state),
        "started": meetings.started(meeting, request.now),
        "earlier": meetings.previous_meeting(dbsession, meeting)
        if item.kind == rules.LAST_MINUTES_ITEM
        else None,
        "carried": meetings.carried_forward_actions(dbsession, meeting)
        if item.kind == rules.MATTERS_ARISING_ITEM
        else [],
        **LABELS,
    }


class ItemPage(SecretaryPage):
    """A secretary's form about one agenda item, the context's."""

    @property
    def item(self):
        return self.context.item

    def back(self):
        return (
            self.request.route_url("meetings_item", item_id=self.item.id),
            f"Back to item {self.item.position}",
        )

    def done(self, message: str):
        return self.redirect("meetings_item", message, item_id=self.item.id)

    @cached_property
    def present(self) -> dict[str, str]:
        return meetings.present_members(self.request.dbsession, self.context.meeting)

    def present_choices(self):
        return sorted(self.present.items(), key=lambda pair: pair[1])


@form_page("meetings_item_declare", "form.jinja2", Permission.MEETINGS_MANAGE)
class DeclarePage(ItemPage):
    submit_label = "Record the declaration"
    default_field = "person"

    @property
    def heading(self):
        return f"Declare an interest in item {self.item.position}: {self.item.title}"

    def intro(self):
        if not self.present:
            return ["Nobody is recorded as present yet: record the attendance first."]
        return ["Only a member present at the meeting declares an interest."]

    def make_schema(self):
        return schemas.declaration_schema(self.present_choices()).bind(request=self.request)

    def succeed(self, form, appstruct):
        meetings.declare(
            self.request.dbsession,
            self.item,
            person_key=appstruct["person"],
            interest=appstruct["interest"],
            actor_id=self.request.account.id,
        )
        return self.done("The declaration is recorded: they do not count for quorum or vote here.")


@form_page("meetings_item_motion", "form.jinja2", Permission.MEETINGS_MANAGE)
class MotionPage(ItemPage):
    submit_label = "Record the motion and vote"
    default_field = "votes_for"

    @property
    def heading(self):
        return f"A motion on item {self.item.position}: {self.item.title}"

    def voters(self) -> list[tuple[str, str]]:
        return meetings.voters(self.item, self.present)

    def make_schema(self):
        casting = rules.casting_vote_allowed(
            self.context.meeting.body.kind, self.request.constitution
        )
        voters = [(f"v{n}", name) for n, (_, name) in enumerate(self.voters())]
        return schemas.motion_schema(self.present_choices(), casting, voters).bind(
            request=self.request
        )

    def intro(self):
        quorum = meetings.item_quorum(self.request.dbsession, self.request.constitution, self.item)
        return [f"{quorum}."]

    def succeed(self, form, appstruct):
        named = appstruct.get("named") or {}
        motion = meetings.record_motion(
            self.request.dbsession,
            self.request.constitution,
            self.item,
            text=appstruct["text"],
            proposer_key=appstruct["proposer"],
            seconder_key=appstruct["seconder"],
            votes_for=appstruct["votes_for"],
            votes_against=appstruct["votes_against"],
            abstentions=appstruct["abstentions"],
            casting_vote=appstruct.get("casting_vote", ""),
            actor_id=self.request.account.id,
            named_votes={key: named.get(f"v{n}", "") for n, (key, _) in enumerate(self.voters())},
        )
        return self.done(f"The motion is {motion.outcome}.")


@form_page("meetings_item_decision", "form.jinja2", Permission.MEETINGS_MANAGE)
class DecisionPage(ItemPage):
    submit_label = "Record the decision"
    default_field = "text"

    @property
    def heading(self):
        return f"A decision on item {self.item.position}: {self.item.title}"

    def make_schema(self):
        return schemas.decision_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        meetings.record_decision(
            self.request.dbsession,
            self.request.constitution,
            self.item,
            text=appstruct["text"],
            actor_id=self.request.account.id,
        )
        return self.done("The decision is recorded.")


@form_page("meetings_item_action", "form.jinja2", Permission.MEETINGS_MANAGE)
class ActionPage(ItemPage):
    submit_label = "Record the action"
    default_field = "text"

    @property
    def heading(self):
        return f"An action from item {self.item.position}: {self.item.title}"

    def make_schema(self):
        return schemas.action_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        meetings.add_action(
            self.request.dbsession,
            self.item,
            text=appstruct["text"],
            owner=appstruct["owner"],
            due_on=appstruct["due_on"],
            actor_id=self.request.account.id,
        )
        return self.done("The action is recorded.")


@form_page("meetings_item_minutes", "form.jinja2", Permission.MEETINGS_MANAGE)
class ItemMinutesPage(ItemPage):
    submit_label = "Save the minute"
    default_field = "minutes_text"

    @property
    def heading(self):
        return f"Minute item {self.item.position}: {self.item.title}"

    def make_schema(self):
        return schemas.item_minutes_schema().bind(request=self.request)

    def initial(self):
        return {"minutes_text": self.item.minutes_text}

    def succeed(self, form, appstruct):
        meetings.write_item_minutes(
            self.request.dbsession,
            self.item,
            text=appstruct["minutes_text"],
            actor_id=self.request.account.id,
        )
        return self.done("The minute is saved.")


@form_page("meetings_item_paper", "form.jinja2", Permission.MEETINGS_MANAGE)
class PaperPage(ItemPage):
    submit_label = "Upload the paper"
    default_field = "paper"

    @property
    def heading(self):
        return f"Add a paper to item {self.item.position}: {self.item.title}"

    def make_schema(self):
        limit = meetings.paper_limit(self.request.constitution)
        return schemas.paper_schema(limit).bind(request=self.request)

    def succeed(self, form, appstruct):
        constitution = self.request.constitution
        content, filename = upload_of(appstruct, "paper", meetings.paper_limit(constitution))
        meetings.add_paper(
            self.request.dbsession,
            self.item,
            title=appstruct["paper_title"] or self.item.title,
            content=content,
            filename=filename,
            constitution=constitution,
            actor_id=self.request.account.id,
        )
        return self.done("The paper is added.")


@view_config(
    route_name="meetings_item_move", request_method="POST", permission=Permission.MEETINGS_MANAGE
)
def move(context, request):
    by = -1 if request.POST.get("direction") == "up" else 1
    return act(
        request,
        lambda: meetings.move_item(
            request.dbsession, context.item, by=by, actor_id=request.account.id, now=request.now
        ),
        request.route_url("meetings_run", meeting_id=context.meeting.id),
    )


@form_page("meetings_item_change", "form.jinja2", Permission.MEETINGS_MANAGE)
class ItemChangePage(ItemPage):
    """Change an item while the agenda is not yet published."""

    submit_label = "Save the item"
    default_field = "title"

    @property
    def heading(self):
        return f"Change item {self.item.position}: {self.item.title}"

    def back(self):
        return (
            self.request.route_url("meetings_run", meeting_id=self.item.meeting_id),
            "Back to the meeting",
        )

    def make_schema(self):
        return schemas.item_schema().bind(request=self.request)

    def initial(self):
        return {name: getattr(self.item, name) for name in ITEM_FIELDS}

    def succeed(self, form, appstruct):
        meetings.change_item(
            self.request.dbsession,
            self.item,
            **{name: appstruct[name] for name in ITEM_FIELDS},
            actor_id=self.request.account.id,
            now=self.request.now,
        )
        return self.redirect(
            "meetings_run", "The item is changed.", meeting_id=self.item.meeting_id
        )


ITEM_FIELDS = ("title", "presenter", "summary", "confidential")


@view_config(
    route_name="meetings_item_withdraw",
    request_method="POST",
    permission=Permission.MEETINGS_MANAGE,
)
def withdraw(context, request):
    title = context.item.title

    def withdraw_item():
        meetings.withdraw_item(
            request.dbsession, context.item, actor_id=request.account.id, now=request.now
        )
        return f"“{title}” is withdrawn from the agenda."

    return act(
        request, withdraw_item, request.route_url("meetings_run", meeting_id=context.meeting.id)
    )


@view_config(
    route_name="meetings_approve", request_method="POST", permission=Permission.MEETINGS_MANAGE
)
def approve(context, request):
    def approve_minutes():
        meetings.approve_minutes(
            request.dbsession,
            request.constitution,
            context.item,
            actor_id=request.account.id,
            now=request.now,
        )
        return "The minutes of the last meeting are approved as a true record."

    return act(
        request, approve_minutes, request.route_url("meetings_item", item_id=context.item.id)
    )


@form_page("meetings_action_done", "form.jinja2", Permission.MEETINGS_MANAGE)
class ActionDonePage(SecretaryPage):
    submit_label = "Mark as done"
    default_field = "done_on"

    @property
    def heading(self):
        return f"Action done: {self.context.action.text}"

    def make_schema(self):
        return schemas.action_done_schema().bind(request=self.request)

    def initial(self):
        return {"done_on": self.request.today}

    def succeed(self, form, appstruct):
        meetings.complete_action(
            self.request.dbsession,
            self.context.action,
            done_on=appstruct["done_on"],
            note=appstruct["note"],
            actor_id=self.request.account.id,
        )
        return self.redirect("meetings_manage", "The action is done.")
