"""The core's extension points for pages: apps above the core add to them here, so the core
names none of their code, templates or tags (docs/ARCHITECTURE.md lists every hook).

SCHOOL_PAGE_SECTIONS: hook(request, school) -> HTML (already escaped) or "" — a section of the
school's page below its summary (progress: the school's row of the compliance model).
SCHOOL_LINKS / DISTRICT_LINKS: PlaceLink — the buttons at the top of a school's or a district's
page that open an app's pages (meetings: CPM year, CAP…; plans: ESSA plan…; progress: SPF…),
shown in their order to those who hold the link's ability (None: whoever sees the page).
"""

from dataclasses import dataclass

from django.urls import reverse

from .permissions import can


@dataclass(frozen=True)
class PlaceLink:
    label: str
    url_name: str
    order: int
    ability: object = None
    style: str = "outline-secondary"  # the Bootstrap button style
    arg: str = "pk"  # the place's attribute the URL takes


SCHOOL_LINKS = []
DISTRICT_LINKS = []


def register_school_link(*args, **kwargs):
    SCHOOL_LINKS.append(PlaceLink(*args, **kwargs))


def register_district_link(*args, **kwargs):
    DISTRICT_LINKS.append(PlaceLink(*args, **kwargs))


def place_links(user, place, registry):
    """[(label, url, style)] of the registry's links the user may follow, in their order."""
    return [
        (link.label, reverse(link.url_name, args=[getattr(place, link.arg)]), link.style)
        for link in sorted(registry, key=lambda link: link.order)
        if link.ability is None or can(user, link.ability, place)
    ]


SCHOOL_PAGE_SECTIONS = []


def register_school_page_section(hook):
    SCHOOL_PAGE_SECTIONS.append(hook)
    return hook


def school_page_sections(request, school):
    return [html for hook in SCHOOL_PAGE_SECTIONS if (html := hook(request, school))]
