"""Where a CIM progress report goes (DOMAIN.md, CIM): the state's copy address by level, the
district's and the SELPA's recipients, the CIM lead who answers."""

from dataclasses import dataclass

from schoolplan.models import CimStatus

from .periods import level_in_force

# The state copy addresses (DOMAIN.md, CIM: where progress reports go).
TARGETED_COPY = "targetedmonitoring@cde.ca.gov"


INTENSIVE_COPY = "intensivemonitoring@cde.ca.gov"


@dataclass
class Recipient:
    who: str
    address: str
    field: str = ""  # the District field the address comes from; "" for the state's copies


def recipients_for(district, status, *, send_to_selpa=False):
    """(what the page says, [Recipient]) for a monitoring level (DOMAIN.md, CIM)."""
    consultant = Recipient(
        f"CDE FMTA consultant ({district.cde_consultant_name or 'not named'})",
        district.cde_consultant_email,
        "cde_consultant_email",
    )
    selpa = Recipient(
        f"SELPA ({district.selpa_name or 'not named'})",
        district.selpa_contact_email,
        "selpa_contact_email",
    )
    if status in (CimStatus.INTENSIVE_1, CimStatus.INTENSIVE_2, CimStatus.INTENSIVE_3):
        return (
            "Intensive: the report goes to the CDE FMTA consultant, with a copy to "
            f"{INTENSIVE_COPY}.",
            [consultant, Recipient("CDE intensive monitoring (copy)", INTENSIVE_COPY)],
        )
    if status == CimStatus.TARGETED_3:
        return (
            "Targeted 3: the report goes to the CDE FMTA consultant, with a copy to "
            f"{TARGETED_COPY}.",
            [consultant, Recipient("CDE targeted monitoring (copy)", TARGETED_COPY)],
        )
    if status == CimStatus.TARGETED_2:
        return (
            "Targeted 2: the report goes to the SELPA, on the SELPA's form if the team attaches "
            "it, with all the template's information.",
            [selpa],
        )
    if status == CimStatus.TARGETED_1:
        if send_to_selpa:
            return ("Targeted 1: the LEA keeps its report, and sends it to the SELPA.", [selpa])
        return (
            "Targeted 1: the LEA keeps its report; the SELPA may require it (you can send it).",
            [],
        )
    return ("No CIM status: no progress report is due.", [])


def routing(district, *, send_to_selpa=False, due=None):
    """(what the page says, [(who, address)]) for the level in force: the period's (due), else
    the district's."""
    status = level_in_force(due) if due is not None else district.cim_status
    headline, recipients = recipients_for(district, status, send_to_selpa=send_to_selpa)
    return headline, [(r.who, r.address) for r in recipients]


def report_routing(report):
    """Where this report goes: the level in force for its period, its SELPA box."""
    due = report.due
    return recipients_for(due.district, level_in_force(due), send_to_selpa=report.send_to_selpa)


def cim_lead(report):
    """The CIM lead of the period's year (the team's lead, else whoever signed it off): the
    report e-mail's Reply-To, and copied."""
    from meetings.cim_reviews import team_for

    team = team_for(report.due.district, report.due.school_year)
    return team.lead if team is not None else report.signed_off_by
