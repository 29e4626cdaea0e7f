"""The meeting page's extension point: apps above meetings add a section to a meeting's page
without meetings naming their code (docs/ARCHITECTURE.md lists every hook).

MEETING_PAGE_SECTIONS: hook(request, meeting) -> HTML (already escaped) or "" (progress: where
the meeting stands on the school's families' page)."""

MEETING_PAGE_SECTIONS = []


def register_meeting_page_section(hook):
    if hook not in MEETING_PAGE_SECTIONS:
        MEETING_PAGE_SECTIONS.append(hook)


def sections_for(request, meeting):
    return [html for html in (hook(request, meeting) for hook in MEETING_PAGE_SECTIONS) if html]
