"""The core's extension points for pages: apps above the core add to them here, so the core
names none of their code, templates or tags (docs/ARCHITECTURE.md lists every hook).

SCHOOL_PAGE_SECTIONS: hook(request, school) -> HTML (already escaped) or "" — a section of the
school's page below its summary (progress: the school's row of the compliance model).
"""

SCHOOL_PAGE_SECTIONS = []


def register_school_page_section(hook):
    SCHOOL_PAGE_SECTIONS.append(hook)
    return hook


def school_page_sections(request, school):
    return [html for hook in SCHOOL_PAGE_SECTIONS if (html := hook(request, school))]
