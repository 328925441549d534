"""The scored-questionnaire mechanism shared by the DoLS screening and referral prioritisation tools."""

from __future__ import annotations

import pytest

from asc_assure.domain import questionnaire as qn

PRIORITIES = ("high", "medium", "low")
RANK = {"high": 0, "medium": 1, "low": 2}
QUESTIONS = [
    {"id": "risk", "question": "Is there a risk?", "answers": [
        {"id": "now", "label": "Now", "points": 10}, {"id": "later", "label": "Later", "points": 4},
        {"id": "none", "label": "None", "points": 0}]},
    {"id": "carer", "question": "Is a carer coping?", "answers": [
        {"id": "gone", "label": "Broken down", "points": 3}, {"id": "coping", "label": "Coping", "points": 0}]},
]
BANDS = [{"priority": "low", "min_score": 0}, {"priority": "high", "min_score": 10},
         {"priority": "medium", "min_score": 4}]


@pytest.fixture
def questions() -> tuple[qn.Question, ...]:
    return qn.parse_questions(QUESTIONS, "points")


def _priority(value, where):
    if value not in PRIORITIES:
        raise qn.DefinitionError(f"{where}: priority {value!r} is not one")
    return value


def test_questions_and_bands_are_built_from_the_yaml_shape(questions):
    assert [q.id for q in questions] == ["risk", "carer"]
    assert questions[0].text == "Is there a risk?"
    assert questions[0].answers[1] == qn.Answer("later", "Later", 4)
    bands = qn.parse_bands(BANDS, PRIORITIES)
    assert bands == (("high", 10), ("medium", 4), ("low", 0))
    assert qn.bands_dict(bands)[0] == {"priority": "high", "min_score": 10}
    assert qn.questions_dict(questions, "points") == QUESTIONS


@pytest.mark.parametrize(("total", "band"), [(0, "low"), (3, "low"), (4, "medium"), (9, "medium"), (10, "high"),
                                             (99, "high"), (-1, "low")])
def test_a_total_takes_the_first_band_it_reaches(total, band):
    assert qn.band(qn.parse_bands(BANDS, PRIORITIES), total) == band


def test_answers_are_trimmed_put_in_the_tools_order_and_totalled(questions):
    answers, total = qn.score(questions, {" carer ": " gone", "risk": "later "})
    assert answers == {"risk": "later", "carer": "gone"} and list(answers) == ["risk", "carer"]
    assert total == 7


def test_answers_that_do_not_fit_are_refused_naming_the_question(questions):
    with pytest.raises(qn.AnswerError, match=r"unknown question\(s\) mood; the questions are risk, carer"):
        qn.score(questions, {"risk": "now", "carer": "gone", "mood": "low"})
    with pytest.raises(qn.AnswerError, match="not answered: carer"):
        qn.score(questions, {"risk": "now", "carer": "  "})
    with pytest.raises(qn.AnswerError, match="not answered: carer"):
        qn.score(questions, {"risk": "now", "carer": None})
    with pytest.raises(qn.AnswerError, match="'maybe' is not an answer to question 'risk'; the answers are "
                                             "now, later, none"):
        qn.score(questions, {"risk": "maybe", "carer": "gone"})


def test_a_tool_words_its_own_errors(questions):
    wording = qn.Wording(unknown_answer="answer {answer!r} is not one of the answers to {question!r} ({known})",
                         unanswered="answer every screening question; not answered: {missing}")
    with pytest.raises(qn.AnswerError, match=r"answer 'maybe' is not one of the answers to 'carer' \(gone, coping\)"):
        questions[1].pick("maybe", wording)
    with pytest.raises(qn.AnswerError, match="answer every screening question"):
        qn.score(questions, {"risk": "now"}, wording)
    with pytest.raises(qn.DefinitionError, match="the bands must be high, medium and low!"):
        qn.parse_bands(BANDS[:2], PRIORITIES, qn.Wording(bad_bands="the bands must be {names}!"))


@pytest.mark.parametrize(("data", "message"), [
    ([], "questions with distinct ids"),
    ([QUESTIONS[0], QUESTIONS[0]], "questions with distinct ids"),
    ([{"id": "x", "question": "Q", "answers": []}], "question 'x' needs answers with distinct ids"),
    ([{"id": "x", "question": "Q"}], "question 'x' needs answers with distinct ids"),
    ([{"id": "x", "question": "Q", "answers": [{"id": "a", "label": "A", "points": 1}] * 2}], "question 'x'"),
])
def test_malformed_questions_are_refused(data, message):
    with pytest.raises(qn.DefinitionError, match=message):
        qn.parse_questions(data, "points")


@pytest.mark.parametrize("bands", [
    [],
    BANDS[:2],  # no medium
    [{**BANDS[0], "min_score": 1}, *BANDS[1:]],  # nothing for a total of 0
    [*BANDS, {"priority": "urgent", "min_score": 20}],
])
def test_bands_must_cover_every_name_from_zero(bands):
    with pytest.raises(qn.DefinitionError, match="bands must be high, medium and low, the lowest starting from 0"):
        qn.parse_bands(bands, PRIORITIES)


def test_overrides_lift_a_priority_and_never_lower_it(questions):
    rules = qn.parse_overrides([
        {"id": "carer_breakdown", "title": "Carer breakdown", "question": "carer", "answers": ["gone"],
         "priority": "high", "why": "No care at all"},
        {"id": "calm", "question": "risk", "answers": ["none", "later"], "priority": "low"},
    ], questions, _priority)
    assert rules[1].title == "calm" and rules[1].why == "" and rules[1].answers == {"none", "later"}
    answers, _ = qn.score(questions, {"risk": "later", "carer": "gone"})
    hit = qn.fired(rules, answers)
    assert [o.id for o in hit] == ["carer_breakdown", "calm"]
    assert qn.lift("medium", hit, RANK) == "high"
    assert qn.lift("medium", hit[1:], RANK) == "medium"
    assert qn.lift("low", (), RANK) == "low"


@pytest.mark.parametrize(("rule", "message"), [
    ({"id": "x", "question": "mood", "answers": ["low"], "priority": "high"}, "question 'mood' is not in the tool"),
    ({"id": "x", "question": "carer", "answers": ["left"], "priority": "high"}, r"\['left'\] are not answers"),
    ({"id": "x", "question": "carer", "answers": [], "priority": "high"}, r"\(none\) are not answers to 'carer'"),
    ({"id": "x", "question": "carer", "answers": ["gone"], "priority": "soon"}, "override 'x': priority 'soon'"),
])
def test_malformed_overrides_are_refused(questions, rule, message):
    with pytest.raises(qn.DefinitionError, match=message):
        qn.parse_overrides([rule], questions, _priority)


def test_a_definition_is_read_from_the_package_or_a_councils_file(tmp_path):
    packaged = qn.read_definition(None, "asc_assure.operations", "dols_screening.yaml")
    assert packaged["tool"]["id"] == "dols_screening"
    own = tmp_path / "tool.yaml"
    own.write_text("tool: {version: '2'}\nquestions: []\n", encoding="utf-8")
    assert qn.read_definition(str(own), "asc_assure.operations", "dols_screening.yaml")["tool"]["version"] == "2"
