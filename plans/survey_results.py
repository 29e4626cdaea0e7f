"""What a survey says, per question and per respondent group, side by side (seed 004: the cadre
analyses parent and culture surveys to find the needs of each group).

Each question is summarised by its kind: the agreement scale counts each answer (and how many
agree); a single choice counts each option; "select all that apply" counts the respondents who
picked each option (one respondent may pick several, so the percents add up to more than 100);
free text is listed, the first MAX_TEXTS of them, with how many more there are. Every count is
given for all respondents and for each group (parents, students, staff, community) with its n.
One query, whatever the number of responses and questions.
"""

from dataclasses import dataclass, field

from .models import QuestionKind
from .surveys import RESPONDENT_GROUPS, SCALE

GROUP_LABELS = {
    "parent": "Parents",
    "student": "Students",
    "staff": "Staff",
    "community": "Community",
}
MAX_TEXTS = 50


@dataclass
class Column:
    """All respondents (key ""), or one respondent group, with its number of respondents."""

    key: str
    label: str
    respondents: int


@dataclass
class Cell:
    count: int
    percent: float


@dataclass
class QuestionSummary:
    question: str
    kind: str
    columns: list
    answered: list  # per column
    rows: list = field(default_factory=list)  # [(value, label, [Cell per column])]
    texts: list = field(default_factory=list)  # [(group label, text)], the first MAX_TEXTS
    more_texts: int = 0

    @property
    def kind_label(self):
        return QuestionKind(self.kind).label

    @property
    def blank(self):
        return self.columns[0].respondents - self.answered[0]

    @property
    def counts(self):
        """[(value, label, count, percent)] of all respondents."""
        return [
            (value, label, cells[0].count, cells[0].percent) for value, label, cells in self.rows
        ]

    @property
    def segments(self):
        """(value, label, x, width) of the scale's answer bar, in percent of the answered."""
        x, out = 0.0, []
        for value, label, count, percent in self.counts:
            if count:
                out.append((value, label, round(x, 2), round(percent, 2)))
                x += percent
        return out

    @property
    def agree(self):
        """The percent who agree or strongly agree, per column (scale questions)."""
        return [
            round(sum(cells[n].count for value, _, cells in self.rows if value >= 4) * 100 / a)
            if a
            else 0
            for n, a in enumerate(self.answered)
        ]

    @property
    def agree_percent(self):
        return self.agree[0]


def _tally(kind, pairs, columns):
    """Counts per option and column, from (column index, answer) pairs of one question."""
    counts = {}
    for index, answer in pairs:
        picked = answer if kind == QuestionKind.MULTI else [answer]
        for option in picked:
            counts.setdefault(option, [0] * len(columns))
            counts[option][0] += 1
            counts[option][index] += 1
    return counts


def _rows(kind, counts, answered):
    def cells(tally):
        return [
            Cell(count, 100 * count / a if a else 0)
            for count, a in zip(tally, answered, strict=True)
        ]

    if kind == QuestionKind.SCALE:
        return [
            (value, label, cells(counts.get(value, [0] * len(answered)))) for value, label in SCALE
        ]
    # Most chosen first; ties in the order of the words.
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], str(item[0]).lower()))
    return [(option, option, cells(tally)) for option, tally in ordered]


def summarise(survey):
    """(columns, [QuestionSummary]): columns are all respondents, then each group present."""
    responses = list(survey.responses.values_list("respondent_group", "answers"))
    present = {group for group, _ in responses}
    columns = [Column("", "All", len(responses))] + [
        Column(group, GROUP_LABELS[group], sum(1 for g, _ in responses if g == group))
        for group in RESPONDENT_GROUPS
        if group in present
    ]
    index = {column.key: n for n, column in enumerate(columns)}
    summaries = []
    for question, kind in survey.kinds_of_questions:
        pairs = [
            (index[group], answers[question]) for group, answers in responses if question in answers
        ]
        answered = [0] * len(columns)
        for column, _ in pairs:
            answered[0] += 1
            answered[column] += 1
        summary = QuestionSummary(question, kind, columns, answered)
        if kind == QuestionKind.TEXT:
            summary.texts = [(columns[n].label, text) for n, text in pairs[:MAX_TEXTS]]
            summary.more_texts = max(0, len(pairs) - MAX_TEXTS)
        else:
            summary.rows = _rows(kind, _tally(kind, pairs, columns), answered)
        summaries.append(summary)
    return columns, summaries
