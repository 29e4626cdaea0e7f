"""Parent and culture surveys (seed 004: the cadre analyses survey data), imported from CSV.

The file: UTF-8 CSV; a header row whose first column is `respondent_group` and whose other
columns are the questions; then one row per respondent. The group is one of RESPONDENT_GROUPS.
A question's kind is declared at the end of its heading, in square brackets:

    I feel welcome at school                      the agreement scale (no suffix, as before)
    How did you hear about us? [choice]           one answer, any wording
    Which services would help you? [multi]        select all that apply, separated by ";"
    What else should we know? [text]              short free text

(`[scale]` may be written too.) A blank cell is no answer. Every row is checked before anything
is written; any error and nothing is imported, and the message names the place
(schoolplan.csvfiles.Place) and the column. Summaries are in plans.survey_results.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan.csvfiles import HEADER_PLACE, CsvImportError, data_rows, read_rows
from schoolplan.forms import posted_int
from schoolplan.text import fit

from .models import QuestionKind, Survey, SurveyResponse

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
MULTI_SEPARATOR = ";"
MAX_OPTIONS = 40  # different answers to one choice question: more is free text
MAX_OPTION_LENGTH = 100
MAX_TEXT_LENGTH = 1000
# "Which services would help you? [multi]": the kind, in brackets at the end of the heading.
_KIND_SUFFIX = re.compile(r"^(?P<question>.*?)\s*\[\s*(?P<kind>[a-z]+)\s*\]\s*$", re.IGNORECASE)
KIND_WORDS = tuple(QuestionKind.values)


class SurveyImportError(CsvImportError):
    pass


def question_and_kind(heading):
    """(question, kind) from a column heading; a heading with no known suffix is on the scale."""
    match = _KIND_SUFFIX.match(heading)
    if match and match["kind"].lower() in KIND_WORDS and match["question"]:
        return match["question"], QuestionKind(match["kind"].lower())
    return heading, QuestionKind.SCALE


def _scale(cell):
    number = posted_int(cell)
    if number in SCALE_LABEL:
        return number
    value = _SCALE_WORDS.get(" ".join(cell.lower().split()))
    if value is None:
        raise ValueError(
            f"“{cell[:40]}” is not an answer on the scale (Strongly disagree, Disagree, Neutral, "
            "Agree, Strongly agree, or 1–5; blank for no answer). If the question is not on the "
            "scale, end its heading with [choice], [multi] or [text]"
        )
    return value


def _option(cell, spellings):
    """An option as first spelled in the file: "tutoring " and "Tutoring" are one option."""
    option = " ".join(cell.split())
    if len(option) > MAX_OPTION_LENGTH:
        raise ValueError(f"an answer is longer than {MAX_OPTION_LENGTH} characters")
    return spellings.setdefault(option.lower(), option)


def _answer(kind, cell, spellings):
    """The stored answer to one question, or ValueError saying what is wrong."""
    if kind == QuestionKind.SCALE:
        return _scale(cell)
    if kind == QuestionKind.CHOICE:
        return _option(cell, spellings)
    if kind == QuestionKind.MULTI:
        options = [_option(part, spellings) for part in cell.split(MULTI_SEPARATOR) if part.strip()]
        return list(dict.fromkeys(options))
    if len(cell) > MAX_TEXT_LENGTH:
        raise ValueError(f"longer than {MAX_TEXT_LENGTH} characters")
    return cell


def _read_header(header):
    errors = []
    if not header or header[0].lower() != GROUP_COLUMN:
        first = header[0] if header else ""
        errors.append(f"{HEADER_PLACE}: the first column must be “{GROUP_COLUMN}”, not “{first}”.")
    headings = header[1:]
    if not headings:
        errors.append(f"{HEADER_PLACE}: there are no question columns after the respondent group.")
    if len(headings) > MAX_QUESTIONS:
        errors.append(f"{HEADER_PLACE}: more than {MAX_QUESTIONS} questions.")
    questions, seen = [], set()
    for column, heading in enumerate(headings, 2):
        question, kind = question_and_kind(heading)
        if not question:
            errors.append(f"{HEADER_PLACE}, column {column}: the question has no heading.")
        elif question.lower() in seen:
            errors.append(
                f"{HEADER_PLACE}, column {column}: the question “{question}” appears twice."
            )
        seen.add(question.lower())
        questions.append((question, kind))
    return questions, errors


def read_survey(data):
    """([(question, kind)], [(line, group, {question: answer}), …]) from the file's bytes."""
    rows = read_rows(data, max_bytes=MAX_BYTES, error=SurveyImportError)
    header = [cell.strip() for cell in rows[0]]
    questions, errors = _read_header(header)
    if errors:
        raise SurveyImportError(errors)
    body = data_rows(rows, "responses")
    if not body:
        raise SurveyImportError(["The file has a header but no responses."])
    if len(body) > MAX_ROWS:
        raise SurveyImportError([f"The file has more than {MAX_ROWS} responses."])
    spellings = {question: {} for question, _ in questions}
    responses = []
    for place, row in body:
        if len(row) != len(header):
            errors.append(f"{place}: it has {len(row)} values; the header has {len(header)}.")
            continue
        group = row[0].strip().lower()
        if group not in RESPONDENT_GROUPS:
            errors.append(
                f"{place}, column {GROUP_COLUMN}: “{row[0].strip()[:40]}” is not one of "
                f"{', '.join(RESPONDENT_GROUPS)}."
            )
        answers = {}
        for (question, kind), cell in zip(questions, row[1:], strict=True):
            cell = cell.strip()
            if not cell:
                continue
            try:
                value = _answer(kind, cell, spellings[question])
            except ValueError as problem:
                errors.append(f"{place}, column “{question[:60]}”: {problem}.")
                continue
            if value != []:
                answers[question] = value
        responses.append((place.line, group, answers))
    for column, (question, _) in enumerate(questions, 2):
        if len(spellings[question]) > MAX_OPTIONS:
            errors.append(
                f"Column {column} “{question[:60]}”: more than {MAX_OPTIONS} different answers; "
                "if people wrote their own words, end its heading with [text]."
            )
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
        questions=[question for question, _ in questions],
        question_kinds=[question_kind for _, question_kind in questions],
        file_name=fit(Survey, "file_name", file_name),
        imported_by=user,
    )
    SurveyResponse.objects.bulk_create(
        SurveyResponse(survey=survey, row_number=line, respondent_group=group, answers=answers)
        for line, group, answers in responses
    )
    return survey
