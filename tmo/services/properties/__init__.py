"""The property register import: check every row of the council's CSV export (one row per tenancy
holder; a void home has its tenancy columns empty) and, only if all are right, bring the estates,
blocks, homes (by property reference) and tenancies (by tenancy reference and holder number) in line
with it. A current tenancy the file no longer lists ends on the import date, one the file gives an
end date ends on that date, and every membership resting on an ended tenancy is ceased; importing
the same file again changes nothing. Existing rows are read into dictionaries once, never queried
row by row.

The file is read and checked in ``reading``; the database is brought in line with it, and what
changed reported, in ``importing``.
"""

from tmo.services.properties.importing import (
    ImportNotConfirmed,
    ImportReport,
    Progress,
    import_properties,
)
from tmo.services.properties.reading import (
    COLUMNS,
    PropertyImportError,
    Register,
    describe_error,
    read_register,
)

__all__ = [
    "COLUMNS",
    "ImportNotConfirmed",
    "ImportReport",
    "Progress",
    "PropertyImportError",
    "Register",
    "describe_error",
    "import_properties",
    "read_register",
]
