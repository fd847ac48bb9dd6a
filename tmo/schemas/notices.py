"""Notices forms: the day a print run's letters were posted, confirmed."""

from tmo.forms import CSRFSchema
from tmo.schemas.dates import past_date_node
from tmo.schemas.nodes import checkbox_node


class PostedSchema(CSRFSchema):
    posted_on = past_date_node(
        "posted_on",
        "Posted on",
        "The day the letters went in the post: today, or a day since they were printed.",
        missing_msg="Enter the day the letters were posted.",
    )
    confirm = checkbox_node(
        "confirm",
        "I have posted every letter of this run",
        "Once marked posted, the letters' text is deleted (a letter may hold a voting code): "
        "the PDF and the CSV can no longer be made. Download them first if you need them.",
        must_tick="Tick the box to confirm every letter of this run has been posted.",
    )
