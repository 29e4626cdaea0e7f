"""Parent and culture surveys (seed 004: the cadre analyses survey data), imported from CSV.

The file: UTF-8 CSV; a header row whose first column is `respondent_group` and whose other
columns are the questions; then one row per respondent. The group is one of RESPONDENT_GROUPS;
each answer is on the agreement scale (words or 1–5) or blank for no answer. Every row is
checked before anything is written; any error and nothing is imported, and the message names
the row (as a spreadsheet numbers it, the header being row 1) and the column.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan.csvfiles import CsvImportError, data_rows, read_rows
from schoolplan.forms import posted_int
from schoolplan.text import fit

from .models import Survey, SurveyResponse

GROUP_COLUMN = "respondent_group"
RESPONDENT_GROUPS = ("parent", "student", "staff", "community")
SCALE = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neutral"),
    (4, "Agree"),
    (5, "Strongly agree"),
)
SCALE_LABEL = dict(SCALE)
_SCALE_WORDS = {label.lower(): value for value, label in SCALE}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_QUESTIONS = 100


class SurveyImportError(CsvImportError):
    pass


def _answer(cell):
    cell = cell.strip()
    if not cell:
        return None
    number = posted_int(cell)
    if number in SCALE_LABEL:
        return number
    return _SCALE_WORDS.get(" ".join(cell.lower().split()), "bad")


def read_survey(data):
    """(questions, [(row number, group, {question: 1–5}), …]) from the file's bytes."""
    rows = read_rows(data, max_bytes=MAX_BYTES, error=SurveyImportError)
    header = [cell.strip() for cell in rows[0]]
    errors = []
    if not header or header[0].lower() != GROUP_COLUMN:
        first = header[0] if header else ""
        errors.append(f"Row 1: the first column must be “{GROUP_COLUMN}”, not “{first}”.")
    questions = header[1:]
    if not questions:
        errors.append("Row 1: there are no question columns after the respondent group.")
    if len(questions) > MAX_QUESTIONS:
        errors.append(f"Row 1: more than {MAX_QUESTIONS} questions.")
    seen = set()
    for column, question in enumerate(questions, 2):
        if not question:
            errors.append(f"Row 1, column {column}: the question has no heading.")
        elif question.lower() in seen:
            errors.append(f"Row 1, column {column}: the question “{question}” appears twice.")
        seen.add(question.lower())
    if errors:
        raise SurveyImportError(errors)
    body = data_rows(rows)
    if not body:
        raise SurveyImportError(["The file has a header but no responses."])
    if len(body) > MAX_ROWS:
        raise SurveyImportError([f"The file has more than {MAX_ROWS} responses."])
    responses = []
    for number, row in body:
        if len(row) != len(header):
            errors.append(f"Row {number}: it has {len(row)} values; the header has {len(header)}.")
            continue
        group = row[0].strip().lower()
        if group not in RESPONDENT_GROUPS:
            errors.append(
                f"Row {number}, column {GROUP_COLUMN}: “{row[0].strip()[:40]}” is not one of "
                f"{', '.join(RESPONDENT_GROUPS)}."
            )
        answers = {}
        for question, cell in zip(questions, row[1:], strict=True):
            value = _answer(cell)
            if value == "bad":
                errors.append(
                    f"Row {number}, column “{question[:60]}”: “{cell.strip()[:40]}” is not an "
                    "answer on the scale (Strongly disagree, Disagree, Neutral, Agree, Strongly "
                    "agree, or 1–5; blank for no answer)."
                )
            elif value is not None:
                answers[question] = value
        responses.append((number, group, answers))
    if errors:
        raise SurveyImportError(errors)
    return questions, responses


@transaction.atomic
def import_survey(cadre, *, user, kind, title, data, file_name=""):
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the survey a title."})
    questions, responses = read_survey(data)
    survey = Survey.objects.create(
        cadre=cadre,
        kind=kind,
        title=title,
        questions=questions,
        file_name=fit(Survey, "file_name", file_name),
        imported_by=user,
    )
    SurveyResponse.objects.bulk_create(
        SurveyResponse(survey=survey, row_number=number, respondent_group=group, answers=answers)
        for number, group, answers in responses
    )
    return survey


@dataclass
class QuestionSummary:
    question: str
    counts: list  # [(value, label, count, percent)] over SCALE
    answered: int
    blank: int

    @property
    def segments(self):
        """(value, label, x, width) of the answer bar, in percent of the answered."""
        x, out = 0.0, []
        for value, label, count, percent in self.counts:
            if count:
                out.append((value, label, round(x, 2), round(percent, 2)))
                x += percent
        return out

    @property
    def agree_percent(self):
        agree = sum(count for value, _, count, _ in self.counts if value >= 4)
        return round(100 * agree / self.answered) if self.answered else 0


def summarise(survey):
    """Counts of each answer per question, and respondents per group (one query)."""
    responses = list(survey.responses.values_list("respondent_group", "answers"))
    groups = {}
    for group, _ in responses:
        groups[group] = groups.get(group, 0) + 1
    summaries = []
    for question in survey.questions:
        tally = dict.fromkeys(SCALE_LABEL, 0)
        for _, answers in responses:
            value = answers.get(question)
            if value in tally:
                tally[value] += 1
        answered = sum(tally.values())
        summaries.append(
            QuestionSummary(
                question=question,
                counts=[
                    (value, label, tally[value], 100 * tally[value] / answered if answered else 0)
                    for value, label in SCALE
                ],
                answered=answered,
                blank=len(responses) - answered,
            )
        )
    return len(responses), sorted(groups.items()), summaries
