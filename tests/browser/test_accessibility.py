"""axe-core on every page a demo user can reach: WCAG 2.1 A and AA, zero violations, on a
1366-px screen and again at 375 px, where no page may scroll sideways (WCAG 2.1 reflow); and the
W3C Nu HTML Checker (vnu-jar) over the same pages (the Django admin's aside): zero errors.

The demo district is built the way `make run` builds it (the demo_data command). Then, for each
demo login, the crawler starts at the home page and follows every same-origin link (GET only,
never log-out or downloads), visiting at most PER_PATTERN addresses per URL pattern (the
resolver's url_name) so that a list of 500 meetings costs two visits, not 500. On each page it
injects axe-core (node_modules/axe-core, installed by `make env` from package-lock.json) and runs
the WCAG 2.0/2.1 A and AA rules; on the first page of each pattern that holds a POST form with
text fields, it also empties the fields, submits, and checks the page with its error messages.
Besides the logged-in pages: the log-in (with a wrong password, and locked out), password-reset
and reminder-settings pages, a 404, and the families' public pages in every language, on a
desktop and on a 390-px-wide phone.

Full mode visits every login the demo prints, two addresses per pattern per login. Short mode
(CI, or A11Y_SHORT=1; A11Y_FULL=1 forces the full run) visits one login per role, plus the
principal of the school without meetings, one address per pattern per login: every pattern and
every role is still covered; it leaves out the other principals (the same pages over other
schools' data), the second teacher and the neighbouring district's logins, and the second
address of each pattern (e.g. a second meeting, a second metric).
"""

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter, deque
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from demo.management.commands.demo_data import DEMO_PASSWORD, PEOPLE
from schoolplan.models import School, User
from schoolplan.models.reminders import NotificationSettings

from ..conftest import IN_CI
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHORT = (IN_CI or os.environ.get("A11Y_SHORT") == "1") and os.environ.get("A11Y_FULL") != "1"
PER_PATTERN = 1 if SHORT else 2
PAGE_BUDGET = 150  # per login; the crawl reports it if a login ever hits it

# One login per role (and the principal of a school with nothing scheduled yet: its empty
# states), in short mode; every login the demo prints otherwise.
SHORT_LOGINS = [
    "admin",
    "district",
    "cimlead",
    "cimmember",
    "taprovider",
    "principal",
    "principal.maple",
    "teacher",
    "parent",
]
ALL_LOGINS = ["admin", *dict.fromkeys(username for username, *_ in PEOPLE)]

# Addresses the crawler never opens: leaving, and files rather than pages.
SKIP_URL_NAMES = {
    "logout",
    "admin:logout",
    "admin:view_on_site",
    "workshop_roster_csv",
    "workshop_attendance_csv",
    "essa_export",
    "progress_report_pdf",
    "render_job_pdf",
    "pdf_job_download",
    "workshop_prework_file",
    "analysis_file",
    "meeting_ics",
    "family_meeting_ics",
    "family_meeting_ics_in",
    "calendar_feed",
    "admin:jsi18n",
}
ADMIN_KINDS = {"changelist", "change", "add", "delete", "history"}
SKIP_SUFFIXES = (".pdf", ".csv", ".ics", ".xlsx", ".zip", ".png", ".svg", ".js", ".css")
ERROR_MARKERS = ".is-invalid, .invalid-feedback, .errorlist, .alert-danger, .errornote"

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    help: v.help,
    targets: v.nodes.map((n) => {
      const check = [...n.any, ...n.all, ...n.none][0];
      return n.target.join(" ") + (check ? ` — ${check.message}` : "");
    }),
  }));
}"""

# Find the first POST form in the main content with text fields and a submit button that is
# not a destructive one; empty its fields and switch off browser validation. Returns whether
# there was one (it is then marked data-a11y-submit).
PREPARE_EMPTY_FORM = """() => {
  const forms = [...document.querySelectorAll("main form, #content form")];
  for (const form of forms) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post"
        && !form.hasAttribute("data-hx-post")) continue;
    const fields = [...form.querySelectorAll(
      "input:not([type]), input[type=text], input[type=email], input[type=url],"
      + " input[type=number], input[type=date], input[type=time], input[type=datetime-local],"
      + " input[type=password], textarea")].filter((e) => e.offsetParent !== null);
    const submit = form.querySelector(
      "button[type=submit], button:not([type]), input[type=submit]");
    if (!fields.length || !submit) continue;
    if (/danger/.test(submit.className)) continue;
    fields.forEach((e) => { e.value = ""; });
    form.noValidate = true;
    submit.setAttribute("data-a11y-submit", "");
    return true;
  }
  return false;
}"""


PHONE_WIDTH = 375  # WCAG 2.1 reflow (1.4.10): 320 CSS px; the narrowest phone in use
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What sticks out: the outermost elements past the right edge (not inside a scrolling wrapper).
WIDE = """(width) => {
  const out = [];
  const inScroller = (e) => e.parentElement && e.parentElement.closest(".table-responsive, pre");
  for (const e of document.querySelectorAll("body *")) {
    if (e.getBoundingClientRect().right > width + 1 && !inScroller(e)
        && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1)) {
      out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " "
        + Math.round(e.getBoundingClientRect().width) + " px");
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode() && out.length < 6) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || inScroller(node)) continue;
    range.selectNodeContents(node);
    if (range.getBoundingClientRect().right > width + 1) {
      out.push("text in " + node.parentElement.tagName.toLowerCase() + ": "
        + JSON.stringify(node.textContent.trim().slice(0, 40)));
    }
  }
  return out.slice(0, 6);
}"""


class Audit:
    def __init__(self, source):
        self.source = source
        self.pages = 0
        self.patterns = set()
        self.violations = []
        self.broken = []
        self.budget_hit = []
        self.overflows = []  # (where, px) of pages that scroll sideways at PHONE_WIDTH
        self.html = {}  # where -> (pattern, the page's HTML), for the Nu HTML Checker

    def check(self, page, where, pattern):
        """Run axe on the page as it is, and again at PHONE_WIDTH, where it must not scroll
        sideways; keep its HTML for the HTML checker; record what they find."""
        self._axe(page, where)
        # The Django admin's markup (and what its scripts add) is Django's, not ours.
        if not str(pattern).startswith("admin:"):
            self.html[where] = (pattern, page.content())
        size = page.viewport_size
        if size and size["width"] > PHONE_WIDTH:
            page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
            try:
                self._reflow(page, where)
                self._axe(page, f"{where} at {PHONE_WIDTH} px")
            finally:
                page.set_viewport_size(size)
        elif size:
            self._reflow(page, where)
        self.pages += 1
        self.patterns.add(pattern)

    def _reflow(self, page, where):
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            self.overflows.append((where, f"{overflow} px: {page.evaluate(WIDE, PHONE_WIDTH)}"))

    def _axe(self, page, where):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # (script-src 'self', no inline script) does not govern; so the pages are checked with
        # the policy they really have, not with it switched off (bypass_csp).
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
            self.violations.append((where, violation))

    def report(self):
        lines = []
        for where, violation in self.violations:
            lines.append(f"{where}: {violation['id']} ({violation['help']})")
            lines.extend(f"    {target}" for target in violation["targets"][:5])
            if len(violation["targets"]) > 5:
                lines.append(f"    … and {len(violation['targets']) - 5} more")
        return "\n".join(lines)


def pattern_of(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    kind = name.rsplit("_", 1)[-1]
    if name.startswith("admin:") and name != "admin:password_change" and kind in ADMIN_KINDS:
        # The admin's model pages are one template per kind whatever the model: one pattern
        # per kind (admin:changelist, admin:change, admin:add …).
        name = f"admin:{kind}"
    return name


def page_url_names(patterns=None, namespace=""):
    """Every url_name of the resolver outside the admin."""
    names = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                names |= page_url_names(entry.url_patterns, namespace)
        elif entry.name:
            names.add(namespace + entry.name)
    return names


def crawl(page, audit, who, starts, origin, per_pattern=PER_PATTERN, forms=True):
    """Breadth-first from the starts over same-origin links; at most per_pattern addresses of
    each URL pattern; the first page of each pattern also in its empty-form error state."""
    queue = deque(starts)
    queued = set(starts)
    taken = Counter(pattern_of(urlsplit(start).path) for start in starts)
    forms_tried = set()
    visited = 0
    while queue:
        if visited >= PAGE_BUDGET:
            audit.budget_hit.append(who)
            break
        url = queue.popleft()
        path = urlsplit(url).path
        pattern = pattern_of(path)
        try:
            response = page.goto(url)
        except Exception as error:  # a download that the filters did not foresee
            if "Download is starting" in str(error):
                continue
            raise
        visited += 1
        if os.environ.get("A11Y_VERBOSE"):
            print(f"[axe]   {who} {url} ({pattern}) -> {response and response.status} {page.url}")
        if response is None or response.status >= 400:
            audit.broken.append(f"{who} {url}: {response and response.status}")
            continue
        if "/accounts/login/" in page.url and "/accounts/login/" not in url:
            audit.broken.append(f"{who} {url}: sent to the log-in page")
            continue
        audit.check(page, f"{who} {url}", pattern)

        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map((a) => a.href)"
        ):
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != origin or href in queued:
                continue
            if parts.path.lower().endswith(SKIP_SUFFIXES):
                continue
            link_pattern = pattern_of(parts.path)
            if link_pattern is None or link_pattern in SKIP_URL_NAMES:
                continue
            if taken[link_pattern] >= per_pattern:
                continue
            taken[link_pattern] += 1
            queued.add(href)
            queue.append(href)

        if forms and pattern not in forms_tried:
            forms_tried.add(pattern)
            submit_empty_form(page, audit, f"{who} {url} (empty form submitted)", pattern)
    return visited


def submit_empty_form(page, audit, where, pattern):
    if not page.evaluate(PREPARE_EMPTY_FORM):
        return
    button = page.locator("[data-a11y-submit]")
    with page.expect_response(lambda r: r.request.method == "POST"):
        button.dispatch_event("click")
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    if page.locator(ERROR_MARKERS).count():
        audit.check(page, where, pattern)


def html_errors(pages, folder):
    """The W3C Nu HTML Checker (vnu-jar, npm; Java) over the pages' HTML, in one run: its errors,
    each with the page it is on."""
    if not VNU.exists() or not shutil.which("java"):
        message = f"{VNU} or java is missing: run `make env` (npm ci); .ci/run installs Java"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    files = {}
    for number, (where, (pattern, html)) in enumerate(sorted(pages.items(), key=str)):
        path = folder / f"page-{number}.html"
        path.write_text(html)
        files[path.name] = f"{where} ({pattern})"
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(folder / name) for name in files],
        capture_output=True,
        text=True,
        check=True,
    )
    errors = []
    for message in json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]:
        url = message.get("url", "")
        page = files.get(url.rsplit("/", 1)[-1], url)
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.append(f"{page}: {message['message']} [{extract}]")
    return errors


def test_every_reachable_page_passes_axe(chromium, live_server, clock, capsys, tmp_path):
    if not AXE.exists():
        message = f"{AXE} is missing: run `make env` (npm ci)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    started = time.monotonic()
    call_command("demo_data", stdout=StringIO())
    audit = Audit(AXE.read_text())
    origin = live_server.url

    def new_page(**options):
        options.setdefault("viewport", {"width": 1366, "height": 900})
        context = chromium.new_context(base_url=origin, **options)
        clock.follow(context)  # the page's clock follows the server's (tests/clock.py)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page

    # Logged-in pages, one login after another.
    logins = SHORT_LOGINS if SHORT else ALL_LOGINS
    if os.environ.get("A11Y_LOGINS"):  # e.g. A11Y_LOGINS=principal,teacher while fixing pages
        logins = os.environ["A11Y_LOGINS"].split(",")
    for username in logins:
        context, page = new_page()
        log_in(page, username, DEMO_PASSWORD)
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"
        starts = [f"{origin}/"]
        if username == "admin":
            # The admin's index, and a model with objects (its list, change and history pages
            # are the ones with data in them): the demo's people.
            user_pk = User.objects.get(username="principal").pk
            starts = [
                f"{origin}/admin/",
                f"{origin}/admin/schoolplan/user/",
                f"{origin}/admin/schoolplan/user/{user_pk}/change/",
                *starts,
            ]
        visited = crawl(page, audit, username, starts, origin)
        print(f"[axe] {username}: {visited} pages")
        page.goto("/schools/987654321/")  # a 404, with the menus of a logged-in user
        audit.check(page, f"{username} 404 page", "404")
        page.goto("/accounts/password_change/done/")  # reached only by changing the password
        audit.check(page, f"{username} password changed", "password_change_done")
        context.close()

    # Pages without a login: log-in (its error and lockout states), password reset, the
    # reminder settings reached from an e-mail.
    context, page = new_page()
    principal = User.objects.get(username="principal")
    uid = urlsafe_base64_encode(force_bytes(principal.pk))
    token = default_token_generator.make_token(principal)
    settings_token = NotificationSettings.objects.get_or_create(user=principal)[0].token
    for url in [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        f"/accounts/reset/{uid}/{token}/",  # redirects to its set-password form
        "/accounts/reset/done/",
        f"/reminders/settings/{settings_token}/",
    ]:
        page.goto(url)
        pattern = pattern_of(urlsplit(page.url).path)
        audit.check(page, f"anonymous {url}", pattern)
        submit_empty_form(page, audit, f"anonymous {url} (empty form submitted)", pattern)
    page.goto("/accounts/login/")
    for attempt in range(5):  # wrong passwords: the error, then the lockout page
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if attempt == 0:
            audit.check(page, "anonymous log-in, wrong password", "login")
    audit.check(page, "anonymous log-in, locked out", "locked_out")
    context.close()

    # The families' pages, in each language, on a desktop and on a phone: a school that has
    # published its pages and one that has published nothing.
    slugs = [
        School.objects.get(name=name).public_slug
        for name in ("Valdez Elementary", "Maple Grove Elementary")
    ]
    for device, options in [
        ("desktop", {}),
        ("phone", {"viewport": {"width": 390, "height": 844}, "is_mobile": True}),
    ]:
        context, page = new_page(**options)
        # Every language of the families' pages (Arabic right to left), from each start.
        languages = ["" if code == "en" else f"{code}/" for code, _name in settings.LANGUAGES]
        starts = [f"{origin}/families/{slug}/{code}" for slug in slugs for code in languages]
        visited = crawl(page, audit, f"family ({device})", starts, origin, forms=False)
        print(f"[axe] families ({device}): {visited} pages")
        context.close()

    elapsed = time.monotonic() - started
    mode = "short" if SHORT else "full"
    with capsys.disabled():  # the figure the closing note quotes, visible in CI's log
        print(
            f"\n[axe] {audit.pages} pages ({len(audit.patterns)} url patterns), "
            f"{len(audit.violations)} violations, {mode} mode, {elapsed:.0f} s"
        )
    unreached = sorted(page_url_names() - audit.patterns - SKIP_URL_NAMES)
    print(f"[axe] url patterns no link led to (POST-only actions among them): {unreached}")
    # Links a user is shown but may not follow are reported, not failed: they are a matter for
    # the permission layer, not for accessibility.
    for broken in audit.broken:
        print(f"[axe] a link that fails (not checked): {broken}")
    assert not audit.budget_hit, f"Page budget reached for {audit.budget_hit}"
    overflows = "\n".join(f"{where}: {what}" for where, what in audit.overflows)
    nu_errors = html_errors(audit.html, tmp_path)
    with capsys.disabled():
        print(
            f"[reflow] {len(audit.overflows)} pages scroll sideways at {PHONE_WIDTH} px; "
            f"[nu] {len(nu_errors)} HTML errors over {len(audit.html)} pages"
        )
    problems = []
    if audit.violations:
        problems.append("axe violations:\n" + audit.report())
    if audit.overflows:
        problems.append(f"Pages that scroll sideways at {PHONE_WIDTH} px:\n{overflows}")
    if nu_errors:
        problems.append("The Nu HTML Checker's errors:\n" + "\n".join(nu_errors))
    assert not problems, "\n\n".join(problems)


def test_axe_source_is_the_pinned_release():
    """The file the test injects is the version package-lock.json pins."""
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing")
    lock = (AXE.parents[2] / "package-lock.json").read_text()
    pinned = re.search(r'"node_modules/axe-core": \{\s*"version": "([^"]+)"', lock).group(1)
    assert f"axe v{pinned}" in AXE.read_text()[:200]
