"""The navigation's menu is kept for a set of roles, so each page of "Your work" must be
permitted by roles alone."""

import pytest

from tmo.navigation import WORK_PAGES
from tmo.security.permits import PERMITS


@pytest.mark.parametrize(("permission", "route", "label"), WORK_PAGES)
def test_each_page_of_your_work_is_permitted_by_roles_alone(permission, route, label):
    grants = PERMITS[permission]
    assert grants
    assert all(hasattr(check, "role") for checks in grants for check in checks)
