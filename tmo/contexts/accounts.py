"""Account contexts: an account an administrator (or the secretary, reading) looks at, loaded
from the path."""

from tmo.contexts import Context, load
from tmo.models.accounts import Account


class AccountContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.account: Account = load(request, Account, "account_id")
