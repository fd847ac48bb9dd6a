"""The demo's property register: three estates, their blocks, homes and tenancies, from the CSV
shipped with tmo (tmo/data/demo-properties.csv, made by tmo/scripts/make_demo_properties.py),
imported as of the demo's day through the same service as the council's own file."""

from datetime import date
from importlib.resources import files

from sqlalchemy.orm import Session

from tmo.services.properties import ImportReport, import_properties

DEMO_FILE = "demo-properties.csv"


def load_demo_properties(dbsession: Session, today: date) -> ImportReport:
    data = (files("tmo") / "data" / DEMO_FILE).read_bytes()
    return import_properties(
        dbsession, data, as_of=today, actor_id=None, confirm_percent=None, file_name=DEMO_FILE
    )
