"""Colander schemas: what each form accepts, with messages a person can act on."""
