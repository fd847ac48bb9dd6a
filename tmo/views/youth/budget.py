"""The Youth Forum's budget: the dashboard with its chart, the youth worker opening the year and
adjusting it, the ledger as a page and as CSV, and the report for the board as a PDF."""

from pyramid.view import view_config

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.presenters import pounds_text
from tmo.rules import youth as rules
from tmo.schemas.youth import AdjustSchema, ConfirmSchema
from tmo.services import exports, youth
from tmo.services.paging import page_number, paginate
from tmo.services.pdf import pdf_response, render_pdf
from tmo.views import READ
from tmo.views.youth import budget_values, ratified_by


@view_config(
    route_name="youth_budget",
    renderer="youth/budget.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def budget(request):
    return {
        **budget_values(request),
        "counts": youth.status_counts(request.dbsession),
        "statuses": rules.STATUSES,
    }


class BudgetPage(FormPage):
    """A youth worker's form about this year's budget."""

    def back(self):
        return (self.request.route_url("youth_budget"), "Back to the budget")


@form_page("youth_budget_open", "form.jinja2", Permission.YOUTH_MANAGE)
class OpenYearPage(BudgetPage):
    schema = ConfirmSchema
    submit_label = "Open the budget"
    heading = "Open this year's budget"

    def intro(self):
        rules_ = self.request.constitution.youth
        start = rules.year_start(self.request.today, rules_)
        return [
            f"This allocates the devolved budget of "
            f"{rules.format_pounds(rules_.annual_budget_pence)} for {rules.year_label(start)}.",
            "If last year's budget is still open it is closed first: its unspent money "
            + ("carries over." if rules_.unspent_at_year_end == "carry_over" else "lapses."),
        ]

    def succeed(self, form, appstruct):
        year = youth.open_year(
            self.request.dbsession,
            self.request.constitution,
            day=self.request.today,
            actor_id=self.request.account.id,
        )
        return self.redirect(
            "youth_budget", f"The {rules.year_label(year.starts_on)} budget is open."
        )


@form_page("youth_budget_adjust", "form.jinja2", Permission.YOUTH_MANAGE)
class AdjustPage(BudgetPage):
    schema = AdjustSchema
    submit_label = "Record the adjustment"
    heading = "Adjust the budget"

    def intro(self):
        return ["An adjustment changes this year's budget. Its reason is shown in the ledger."]

    def succeed(self, form, appstruct):
        sign = 1 if appstruct["direction"] == "add" else -1
        youth.adjust_budget(
            self.request.dbsession,
            self.request.constitution,
            amount=sign * appstruct["amount"],
            reason=appstruct["reason"],
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.redirect("youth_budget", "The adjustment is recorded.")


@view_config(
    route_name="youth_ledger",
    renderer="youth/ledger.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def ledger(request):
    values = budget_values(request)
    page = None
    if values["year"] is not None:
        page = paginate(
            request.dbsession,
            youth.ledger_query(values["year"]),
            page_number(request.params.get("page")),
        )
    return {**values, "page": page, "kinds": rules.ENTRY_KINDS}


@view_config(route_name="youth_ledger_csv", request_method=READ, permission=Permission.YOUTH_READ)
def ledger_csv(request):
    dbsession = request.dbsession
    year = youth.chosen_year(
        dbsession, request.constitution, request.params.get("year", ""), request.today
    )
    rows = []
    label = "none"
    if year is not None:
        label = rules.year_label(year.starts_on)
        for entry, running in youth.ledger_with_balances(dbsession, year):
            rows.append(
                [
                    entry.entry_date.isoformat(),
                    entry.kind,
                    pounds_text(entry.amount_pence),
                    entry.proposal.title if entry.proposal else "",
                    entry.reason,
                    pounds_text(running.allocated),
                    pounds_text(running.committed),
                    pounds_text(running.spent),
                ]
            )
    header = ["date", "kind", "amount_gbp", "proposal", "reason", "allocated", "committed", "spent"]
    return exports.csv_response(f"youth-ledger-{label}.csv", header, rows)


@view_config(route_name="youth_board_report", request_method=READ, permission=Permission.YOUTH_READ)
def board_report(request):
    values = budget_values(request)
    year = values["year"]
    content = render_pdf(
        "youth/board_report_pdf.jinja2",
        {
            **values,
            "proposals": youth.year_proposals(request.dbsession, year) if year else [],
            "waiting": youth.waiting_for_the_board(request.dbsession),
            "statuses": rules.STATUSES,
            "categories": youth.CATEGORY_NAMES,
            "as_at": request.today,
            "ratified_by": lambda proposal: ratified_by(request, proposal),
        },
        request,
    )
    return pdf_response(content, f"youth-forum-report-{values['label']}.pdf")
