"""Colander schemas: what each form accepts, with messages a person can act on. The pieces every
domain's forms share are here."""

import colander
import deform


def stripped(value):
    """A preparer: text as typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def date_node(name: str, title: str, description: str = "", autocomplete=None, **kw):
    """A date, typed into the browser's own date field (YYYY-MM-DD where it has none)."""
    attributes = {"type": "date"}
    if autocomplete:
        attributes["autocomplete"] = autocomplete
    return colander.SchemaNode(
        colander.Date(),
        name=name,
        title=title,
        description=description,
        widget=deform.widget.TextInputWidget(attributes=attributes),
        **kw,
    )
