"""Scored questionnaires: a tool of questions with scored answers, a total, a band, and override rules.

The DoLS screening tool (``operations/dols_screening.yaml``) and the referral prioritisation tool
(``operations/prioritisation.yaml``) work the same way: each question has answers worth a number of points,
the points of the chosen answers are added up, and the first band whose minimum the total reaches gives the
priority; an override rule can lift the priority whatever the total. This module holds that mechanism once:
building and checking a tool's questions, bands and overrides from its YAML, picking an answer, scoring a
set of answers, banding a score and applying overrides. Each tool keeps its own YAML shape (the key that
holds an answer's points, the tool's extra settings) and its own wording of the errors (:class:`Wording`).

Everything here is pure except :func:`read_definition`, which reads the YAML. Errors are plain
``ValueError`` subclasses: :class:`DefinitionError` for a malformed tool, :class:`AnswerError` for answers
that do not fit it; the callers turn the latter into the error their users see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class DefinitionError(ValueError):
    """A tool's definition (its YAML) is malformed; the message names what is wrong."""


class AnswerError(ValueError):
    """Answers that do not fit the tool; the message names the question and the answer."""


@dataclass(frozen=True)
class Wording:
    """How a tool words its errors (``str.format`` templates; the fields each one gets are named)."""

    #: ``{question}`` (the question's id).
    answers_not_distinct: str = "question {question!r} needs answers with distinct ids"
    questions_not_distinct: str = "the tool needs questions with distinct ids"
    #: ``{names}`` (the band names, joined by commas, the last by "and").
    bad_bands: str = "bands must be {names}, the lowest starting from 0"
    #: ``{unknown}`` (the unknown ids) and ``{known}`` (the tool's question ids).
    unknown_questions: str = "unknown question(s) {unknown}; the questions are {known}"
    #: ``{missing}`` (the questions not answered).
    unanswered: str = "answer every question; not answered: {missing}"
    #: ``{answer}``, ``{question}`` and ``{known}`` (the question's answer ids).
    unknown_answer: str = "{answer!r} is not an answer to question {question!r}; the answers are {known}"


WORDING = Wording()


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    score: int


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[Answer, ...]

    def pick(self, answer_id: str, wording: Wording = WORDING) -> Answer:
        """The answer with this id; AnswerError names the question and the answers it has."""
        found = next((a for a in self.answers if a.id == answer_id), None)
        if found is None:
            raise AnswerError(wording.unknown_answer.format(
                answer=answer_id, question=self.id, known=", ".join(a.id for a in self.answers)))
        return found


@dataclass(frozen=True)
class Override:
    """A rule that gives at least ``priority`` when ``question`` is answered with one of ``answers``."""

    id: str
    title: str
    question: str
    answers: frozenset[str]
    priority: str
    why: str


# -- building a tool from its YAML ---------------------------------------------------------------------------
def read_definition(path: str | Path | None, package: str, filename: str) -> dict[str, Any]:
    """The tool's YAML as data: a council's own file at ``path``, else the one packaged with ``package``."""
    text = (Path(path).read_text(encoding="utf-8") if path
            else (resources.files(package) / filename).read_text(encoding="utf-8"))
    return yaml.safe_load(text)


def parse_questions(items: Iterable[Mapping[str, Any]] | None, score_key: str,
                    wording: Wording = WORDING) -> tuple[Question, ...]:
    """Questions (``id``, ``question``, ``answers``: ``id``, ``label`` and the points under ``score_key``),
    at least one, with distinct ids, each with at least one answer, the answers' ids distinct."""
    questions = []
    for q in items or []:
        answers = tuple(Answer(str(a["id"]), str(a["label"]), int(a[score_key])) for a in q.get("answers") or [])
        if not answers or len({a.id for a in answers}) != len(answers):
            raise DefinitionError(wording.answers_not_distinct.format(question=q.get("id")))
        questions.append(Question(str(q["id"]), str(q["question"]), answers))
    if not questions or len({q.id for q in questions}) != len(questions):
        raise DefinitionError(wording.questions_not_distinct)
    return tuple(questions)


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def parse_bands(items: Iterable[Mapping[str, Any]] | None, names: Sequence[str],
                wording: Wording = WORDING) -> tuple[tuple[str, int], ...]:
    """Bands (``priority``, ``min_score``) as (name, minimum) pairs, highest first: one for each of
    ``names``, the lowest starting from 0 (so every total has a band)."""
    bands = tuple(sorted(((str(b["priority"]), int(b["min_score"])) for b in items or []), key=lambda b: -b[1]))
    if sorted(p for p, _ in bands) != sorted(names) or bands[-1][1] > 0:
        raise DefinitionError(wording.bad_bands.format(names=_and(names)))
    return bands


def parse_overrides(items: Iterable[Mapping[str, Any]] | None, questions: Sequence[Question],
                    priority: Callable[[Any, str], str]) -> tuple[Override, ...]:
    """Override rules (``id``, ``question``, ``answers``, ``priority``, optional ``title`` and ``why``), each
    naming a question of the tool and answers it has; ``priority(value, where)`` checks the priority."""
    by_id = {q.id: q for q in questions}
    overrides = []
    for o in items or []:
        where = f"override {o.get('id')!r}"
        question = by_id.get(str(o.get("question")))
        if question is None:
            raise DefinitionError(f"{where}: question {o.get('question')!r} is not in the tool")
        answers = frozenset(str(a) for a in o.get("answers") or [])
        bad = sorted(answers - {a.id for a in question.answers})
        if not answers or bad:
            raise DefinitionError(f"{where}: answers {bad or '(none)'} are not answers to {question.id!r}")
        overrides.append(Override(str(o["id"]), str(o.get("title") or o["id"]), question.id, answers,
                                  priority(o.get("priority"), where), str(o.get("why") or "")))
    return tuple(overrides)


def questions_dict(questions: Sequence[Question], score_key: str) -> list[dict[str, Any]]:
    """The questions in the YAML's shape (for JSON output)."""
    return [{"id": q.id, "question": q.text,
             "answers": [{"id": a.id, "label": a.label, score_key: a.score} for a in q.answers]} for q in questions]


def bands_dict(bands: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"priority": p, "min_score": m} for p, m in bands]


# -- using a tool ------------------------------------------------------------------------------------------------
def score(questions: Sequence[Question], answers: Mapping[str, Any],
          wording: Wording = WORDING) -> tuple[dict[str, str], int]:
    """(the answers trimmed, one per question in the tool's order; their total score).

    Every question must be answered, with one of its answers, and nothing else answered; AnswerError says
    which question (and answer) is wrong."""
    given = {str(k).strip(): "" if v is None else str(v).strip() for k, v in answers.items()}
    unknown = sorted(set(given) - {q.id for q in questions})
    if unknown:
        raise AnswerError(wording.unknown_questions.format(unknown=", ".join(unknown),
                                                           known=", ".join(q.id for q in questions)))
    missing = [q.id for q in questions if not given.get(q.id)]
    if missing:
        raise AnswerError(wording.unanswered.format(missing=", ".join(missing)))
    total = sum(q.pick(given[q.id], wording).score for q in questions)
    return {q.id: given[q.id] for q in questions}, total


def band(bands: Sequence[tuple[str, int]], total: int) -> str:
    """The first band (highest first) whose minimum the total reaches; the lowest band otherwise."""
    return next((name for name, minimum in bands if total >= minimum), bands[-1][0])


def fired(overrides: Sequence[Override], answers: Mapping[str, str]) -> tuple[Override, ...]:
    """The override rules the (scored) answers meet."""
    return tuple(o for o in overrides if answers.get(o.question) in o.answers)


def lift(priority: str, rules: Iterable[Override], rank: Mapping[str, int]) -> str:
    """The highest of ``priority`` and the rules' priorities (``rank``: lower is higher): an override
    raises a priority, never lowers it."""
    return min([priority, *(o.priority for o in rules)], key=rank.__getitem__)
