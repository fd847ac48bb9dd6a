"""A wide table at 320 px, in a real browser: the page itself does not scroll sideways, the
table's region does, and a person with only a keyboard tabs to it (it is named by the table's
caption) and scrolls it with the arrow keys; axe finds no scrollable region out of reach."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser


def test_a_wide_table_scrolls_by_keyboard_at_320_px(page, assert_accessible):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/board")
    region = page.get_by_role("region", name="Board seats and their holders")
    expect(region).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the table fits: not wide"

    for _ in range(40):  # Tab through the page until the region has focus
        page.keyboard.press("Tab")
        if region.evaluate("r => r === document.activeElement"):
            break
    else:
        raise AssertionError("the table's region never took focus")
    assert region.evaluate("r => r.scrollLeft") == 0
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "r => r.scrollLeft > 0", arg=region.element_handle(), polling=50, timeout=5000
    )
    assert_accessible(page)
