"""Colander schemas: what each form accepts, with messages a person can act on. One module a
domain; the fields they are all built from are in ``tmo.schemas.nodes``, and file fields in
``tmo.schemas.files``."""
