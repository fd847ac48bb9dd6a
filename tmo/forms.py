"""Forms: deform set up with tmo's accessible widget templates, the CSRF schema every form extends,
the one page class every form view follows, and the one way an action without a form answers.

The widget templates in ``tmo/templates/deform`` replace deform's own: a GOV.UK-style error summary
at the top of a failed form linking to each field, hint and error text tied to inputs with
``aria-describedby``, ``aria-invalid`` on fields in error, and fieldsets with legends for groups.
"""

from importlib.resources import files

import colander
import deform
from markupsafe import Markup
from pyramid.events import NewRequest
from pyramid.httpexceptions import HTTPFound, HTTPSeeOther
from pyramid.view import view_config
from translationstring import TranslationString

from tmo.refusal import Refusal
from tmo.schemas.dates import first_wrong_box
from tmo.views import READ

SEARCH_PATH = (str(files("tmo") / "templates" / "deform"), str(files("deform") / "templates"))
# Widgets that render a group of inputs: the error summary links to the first of them.
GROUP_TEMPLATES = frozenset({"radio_choice", "checkbox_choice"})


@colander.deferred
def deferred_csrf_token(node, kw):
    from pyramid.csrf import get_csrf_token

    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    """Every form's schema: a hidden CSRF token (Pyramid checks it before the view runs)."""

    csrf_token = colander.SchemaNode(
        colander.String(),
        widget=deform.widget.HiddenWidget(),
        default=deferred_csrf_token,
        missing=colander.drop,
    )


def input_id(field) -> str:
    """The id of the element a link to ``field`` should focus."""
    if getattr(field.widget, "template", "") == "date_boxes":
        return f"{field.oid}-{first_wrong_box(field)}"
    if getattr(field.widget, "template", "") in GROUP_TEMPLATES:
        return f"{field.oid}-0"
    if field.children:
        return input_id(field.children[0])
    return field.oid


def plain_messages(error: colander.Invalid) -> None:
    """Write every message of ``error`` and its children out in full: colander's own messages
    are templates ("${val} is greater than maximum value ${max}") that only a translator fills
    in, and tmo has none, so a person would otherwise read the ``${...}``."""

    def plain(message):
        if isinstance(message, list):
            return [plain(each) for each in message]
        return message.interpolate() if isinstance(message, TranslationString) else message

    error.msg = plain(error.msg)
    for child in error.children:
        plain_messages(child)


class AccessibleForm(deform.Form):
    def validate(self, controls, subcontrol=None):
        try:
            return super().validate(controls, subcontrol)
        except deform.ValidationFailure as failure:
            plain_messages(failure.error)
            raise

    def error_summary(self) -> list[tuple[str, str]]:
        """(element id, message) for every error, in the order the fields appear."""
        found = []

        def walk(field):
            error = field.error
            if error is None:
                return
            if error.msg:
                for message in error.messages():
                    found.append((input_id(field), message))
            for child in field.children:
                walk(child)

        walk(self)
        return found


class FormPage:
    """GET renders the form; POST validates it, re-rendering with every error on failure and
    handing the values to ``succeed`` otherwise. Nothing typed is lost but passwords.

    ``succeed`` raises a :class:`~tmo.refusal.Refusal` when what was asked cannot be done: the
    form comes back with the message against the refusal's field (or the whole form), and the
    transaction is doomed unless the refusal says its writes stand. A page names its ``heading``,
    ``intro`` paragraphs and the ``back`` link for the one form template, ``form.jinja2``.
    """

    schema: type[colander.Schema]
    submit_label = "Continue"
    heading = ""
    #: A refusal's field name -> the form field it is shown against, where they differ.
    field_aliases: dict[str, str] = {}
    #: The field a refusal that names none is shown against (None: the whole form).
    default_field: str | None = None

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def make_schema(self) -> colander.Schema:
        return self.schema().bind(request=self.request)

    def make_form(self) -> AccessibleForm:
        return AccessibleForm(
            self.make_schema(),
            buttons=(deform.Button("submit", self.submit_label),),
            formid="form",
            action=self.request.path_qs,
        )

    def initial(self) -> dict:
        return {}

    def title(self) -> str:
        """The browser tab's words (the layout adds the TMO's name): the heading, unless a page
        says more."""
        return self.heading

    def intro(self) -> list[str]:
        return []

    def back(self) -> tuple[str, str] | None:
        """(address, words) of the link back, above the heading."""
        return None

    def extra(self) -> dict:
        return {}

    def page(self, form: AccessibleForm, rendered: str, failed: bool = False) -> dict:
        # deform's Chameleon templates escape every value they render.
        return {
            "heading": self.heading,
            "title": self.title(),
            "intro": self.intro(),
            "back": self.back(),
            "form": Markup(rendered),  # noqa: S704
            "form_failed": failed,
            **self.extra(),
        }

    def get(self):
        form = self.make_form()
        return self.page(form, form.render(self.initial()))

    def post(self):
        form = self.make_form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(form, failure.render(), failed=True)
        try:
            return self.succeed(form, appstruct)
        except Refusal as refusal:
            settle(self.request, refusal)
            return self.refused(form, refusal)

    def refused(self, form: AccessibleForm, refusal: Refusal):
        """The answer to a refusal: the form again, with its message against its field."""
        return self.refuse(form, str(refusal), self.field_for(form, refusal))

    def succeed(self, form: AccessibleForm, appstruct: dict):
        raise NotImplementedError

    def field_for(self, form: AccessibleForm, refusal: Refusal) -> str | None:
        """The field of this form a refusal is about, or None for the form as a whole."""
        name = self.field_aliases.get(refusal.field, refusal.field) or self.default_field
        return name if name and name in form.schema else None

    def refuse(self, form: AccessibleForm, message: str, field_name: str | None = None):
        """Re-render the submitted form with ``message`` against a field (or the whole form)."""
        schema = form.schema
        error = colander.Invalid(schema, None if field_name else message)
        if field_name:
            node = schema[field_name]
            error.add(colander.Invalid(node, message), schema.children.index(node))
        form.widget.handle_error(form, error)
        failure = deform.ValidationFailure(form, form.cstruct, error)
        return self.page(form, failure.render(), failed=True)

    def redirect(self, route_name: str, message: str | None = None, **kw):
        if message:
            self.request.session.flash(message, "success")
        return HTTPFound(self.request.route_url(route_name, **kw))


def settle(request, refusal: Refusal) -> None:
    """Doom the transaction of a refused attempt, unless the refusal says its writes stand."""
    if not refusal.keeps_writes:
        request.tm.doom()


def act(request, action, done_url: str) -> HTTPSeeOther:
    """Answer a POST that has no form: run ``action`` (which returns the words of its success,
    or None) and go to ``done_url``, flashing the success or the refusal."""
    try:
        message = action()
    except Refusal as refusal:
        settle(request, refusal)
        request.session.flash(str(refusal), "warning")
    else:
        if message:
            request.session.flash(message, "success")
    return HTTPSeeOther(done_url)


def form_page(route_name: str, renderer: str, permission, *, post_permission=None):
    """Register a FormPage class on ``route_name``: GET and HEAD render it, POST submits it."""

    def register(cls):
        # _depth=1: venusian must look at the module that applies the decorator, not this one.
        view_config(
            route_name=route_name,
            renderer=renderer,
            permission=permission,
            attr="get",
            request_method=READ,
            _depth=1,
        )(cls)
        view_config(
            route_name=route_name,
            renderer=renderer,
            permission=post_permission or permission,
            attr="post",
            request_method="POST",
            _depth=1,
        )(cls)
        return cls

    return register


def close_uploads(request) -> None:
    """Close the temporary files WebOb keeps an uploaded file's body in, once the request is
    done with them. Left to the garbage collector, a file caught in a reference cycle can be
    finalised before the field that would have closed it (a ResourceWarning)."""
    parsed = request.environ.get("webob._parsed_post_vars")
    if not parsed:
        return
    for value in parsed[0].values():
        upload = getattr(value, "file", None)
        if upload is not None and hasattr(upload, "close"):
            upload.close()


def close_uploads_when_finished(event) -> None:
    event.request.add_finished_callback(close_uploads)


def includeme(config):
    renderer = deform.ZPTRendererFactory(SEARCH_PATH)
    deform.Form.set_default_renderer(renderer)
    config.add_subscriber(close_uploads_when_finished, NewRequest)
