"""``pshell development.ini``: a shell with a database session and the models at hand."""

from tmo.models import accounts, audit, constitution


def setup(env):
    request = env["request"]
    request.tm.begin()
    env["tm"] = request.tm
    env["dbsession"] = request.dbsession
    env["accounts"] = accounts
    env["audit"] = audit
    env["constitution"] = constitution
