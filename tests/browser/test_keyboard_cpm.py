"""A principal schedules a CPM meeting with the keyboard alone: Tab, Shift+Tab, Enter, Space and
typing, never the mouse. Every element the keyboard reaches on the way shows where the focus is."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings.models import Meeting
from schoolplan import clock as app_clock

from ..clock import YEAR, on

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

# What the focused element is, and whether it shows it: an outline or a box-shadow, neither
# switched off nor transparent, on the element the keyboard focused.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && !/rgba\\(.*, 0\\)$/.test(style.outlineColor);
  const shadow = style.boxShadow !== "none"
    && !/rgba\\(\\d+, \\d+, \\d+, 0\\)/.test(style.boxShadow);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim(),
    indicator: outline || shadow,
    style: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor};`
      + ` box-shadow: ${style.boxShadow}`,
    onScreen: box.width > 0 && box.height > 0,
  };
}"""


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.stops = 0

    def focused(self):
        return self.page.evaluate(FOCUSED)

    def press(self, key):
        self.page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            self.check_focus()

    def check_focus(self):
        focus = self.focused()
        assert focus is not None, "the focus was lost"
        where = f"{focus['tag']} “{focus['name'][:60]}” on {self.page.url}"
        assert focus["onScreen"], f"focus on an invisible element: {where}"
        # (No :focus-visible assertion: a date field's focus sits in its month, day and year
        # parts, so the field itself does not match it; its ring is drawn on :focus.)
        assert focus["indicator"], f"no visible focus indicator: {where} ({focus['style']})"
        self.stops += 1

    def tab_to(self, name, backwards=False, limit=80):
        """Tab (or Shift+Tab) until the focused element's name starts with name."""
        # Once the page's stylesheet applies: before it, the small-screen "Show navigation"
        # button is still displayed and takes the focus, then vanishes (seen on a busy machine).
        self.page.wait_for_load_state("load")
        for _ in range(limit):
            self.press("Shift+Tab" if backwards else "Tab")
            if self.focused()["name"].startswith(name):
                return
        raise AssertionError(f"{limit} key presses did not reach “{name}” on {self.page.url}")


def test_principal_schedules_a_cpm_meeting_with_the_keyboard_only(page, screenshot, clock):
    # Early September: the Kick Off window is open (the server's clock and the page's).
    clock.set(on(9, 2), tick=True)
    call_command("demo_data", stdout=StringIO())
    start_year = YEAR
    keys = Keyboard(page)
    # Bootstrap eases the focus ring in over 0.15 s; with reduced motion it is there at once, so
    # the ring read right after each key press is the ring the principal sees.
    page.emulate_media(reduced_motion="reduce")

    # Typing the address is the one thing done without Tab; the log-in page puts the focus in
    # its Username field.
    page.goto("/accounts/login/")
    assert keys.focused()["name"].startswith("Username")
    keys.check_focus()
    page.keyboard.type("principal.maple")  # Maple Grove: nothing scheduled yet
    keys.press("Tab")
    assert keys.focused()["name"].startswith("Password")
    page.keyboard.type("schoolplan-demo")
    screenshot(page, "14-keyboard-login")
    keys.press("Enter")
    # The log-in page has a heading too: wait for the page after it, or on a busy machine the
    # next Tab lands on the log-in page.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    keys.press("Tab")
    assert keys.focused()["name"] == "Skip to main content"  # the first stop on every page

    # Home → the school → its CPM year → schedule the Kick Off.
    keys.tab_to("Maple Grove Elementary")
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Maple Grove Elementary", level=1)).to_be_visible()
    keys.tab_to("CPM year")
    keys.press("Enter")
    expect(
        page.get_by_role("heading", name=f"Community Progress Monitoring {start_year}-")
    ).to_be_visible()
    keys.tab_to("Schedule the Kick Off")
    screenshot(page, "15-keyboard-cpm-year-focus")
    keys.press("Enter")
    expect(
        page.get_by_role("heading", name="Schedule a CPM meeting at Maple Grove")
    ).to_be_visible()

    # The form: a date in the Kick Off window, typed into the date field's month, day and year.
    keys.tab_to("Date")
    page.keyboard.type(f"{on(9, 17):%m%d%Y}")
    keys.tab_to("Place")
    page.keyboard.type("Maple Grove library, 12 Elm St")
    # Past the checkbox, then back to it with Shift+Tab, and tick it with Space.
    keys.tab_to("This meeting is also our SPF meeting")
    keys.press("Tab")
    keys.tab_to("This meeting is also our SPF meeting", backwards=True)
    keys.press("Space")
    assert page.evaluate("document.activeElement.checked")
    keys.tab_to("Schedule meeting")
    screenshot(page, "16-keyboard-cpm-form-focus")
    keys.press("Enter")

    expect(
        page.get_by_role("heading", name=f"Kick Off community meeting {start_year}-")
    ).to_be_visible()
    expect(page.get_by_text("is scheduled")).to_be_visible()
    screenshot(page, "17-keyboard-meeting-scheduled")
    meeting = Meeting.objects.get(school__name="Maple Grove Elementary")
    assert app_clock.local_date(meeting.starts_at, meeting.district) == on(9, 17)
    assert meeting.place == "Maple Grove library, 12 Elm St"
    assert meeting.counts_as_spf_meeting
    assert keys.stops > 20  # the focus was checked at every stop on the way
