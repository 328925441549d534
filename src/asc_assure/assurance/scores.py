"""Quality statement scores: the council's own (with its reasons) and, after an assessment, CQC's.

* Self-assessed scores are 1–4 per quality statement with a rationale. Every change is a new row,
  kept with its date and who made it, so the history of the council's view survives.
* CQC's actual scores are recorded per assessment (its date, and the report's publication date).
  CQC "may not always review all quality statements during every assessment", so a partial set is
  allowed; the rating is then worked out over the statements scored.
* The comparison puts both side by side per statement (difference = self minus CQC: positive means
  the council rated itself higher than CQC did) and gives each overall result from
  ``asc_assure.domain.cqc.rate``, CQC's published method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now
from asc_assure.domain.cqc import CqcScoreError, Rating, check_scores, load_framework, rate

SELF_ENTITY, CQC_ENTITY = "self_score", "cqc_assessment"


def check_score(statement: str, score: Any) -> int:
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    try:
        return check_scores({statement: score}, require_all=False)[statement]
    except CqcScoreError as exc:
        raise WorkspaceError(str(exc)) from None


def set_self_score(ws: Workspace, statement: str, score: Any, rationale: str, actor: str,
                   today: dt.date) -> dict[str, Any]:
    """Record the council's score for one quality statement, with why. Unchanged entries are not repeated."""
    value = check_score(statement, score)
    rationale = " ".join((rationale or "").split())
    if not rationale:
        raise WorkspaceError(f"give a rationale for the score for {statement!r}: why is it {value}?")
    current = current_self_scores(ws).get(statement)
    if current and current["score"] == value and current["rationale"] == rationale:
        return current
    with ws.transaction() as con:
        cur = con.execute("INSERT INTO sa_self_scores (statement, score, rationale, scored_on, recorded_at, "
                          "recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
                          (statement, value, rationale, today.isoformat(), utc_now(), actor))
        Workspace.log(con, actor, SELF_ENTITY, statement, "set", score=value, rationale=rationale,
                      previous=current["score"] if current else None)
        new_id = cur.lastrowid
    with ws.read() as con:
        return rows(con.execute("SELECT * FROM sa_self_scores WHERE id = ?", (new_id,)))[0]


def set_self_scores(ws: Workspace, scores: Mapping[str, Any], rationale: str, actor: str,
                    today: dt.date) -> list[dict[str, Any]]:
    """Several statements with the same rationale; all are checked before any is saved."""
    if not scores:
        raise WorkspaceError("give at least one quality statement score, e.g. safeguarding=3")
    checked = {slug: check_score(slug, s) for slug, s in scores.items()}
    if not " ".join((rationale or "").split()):
        raise WorkspaceError("give a rationale for the score(s)")
    return [set_self_score(ws, slug, s, rationale, actor, today) for slug, s in checked.items()]


def current_self_scores(ws: Workspace) -> dict[str, dict[str, Any]]:
    """The newest self-assessed score per statement, in framework order."""
    with ws.read() as con:
        found = rows(con.execute("SELECT s.* FROM sa_self_scores s JOIN (SELECT statement, max(id) AS id FROM "
                                 "sa_self_scores GROUP BY statement) m ON s.id = m.id"))
    by_slug = {r["statement"]: r for r in found}
    return {slug: by_slug[slug] for slug in load_framework().slugs if slug in by_slug}


def self_score_history(ws: Workspace, statement: str | None = None) -> list[dict[str, Any]]:
    """Every self-assessed score ever recorded (newest first), optionally for one statement."""
    if statement is not None:
        check_score(statement, 1)
    sql, args = "SELECT * FROM sa_self_scores", []
    if statement is not None:
        sql, args = sql + " WHERE statement = ?", [statement]
    with ws.read() as con:
        return rows(con.execute(sql + " ORDER BY id DESC", args))


def record_actual(ws: Workspace, scores: Mapping[str, Any], assessed_on: dt.date, actor: str,
                  report_date: dt.date | None = None, published_rating: str | None = None) -> dict[str, Any]:
    """Record CQC's scores for an assessment; recording again for the same date replaces them (logged)."""
    parsed = {slug: int(v.strip()) if isinstance(v, str) and v.strip().isdigit() else v for slug, v in scores.items()}
    try:
        checked = check_scores(parsed, require_all=False)
    except CqcScoreError as exc:
        raise WorkspaceError(str(exc)) from None
    if report_date is not None and report_date < assessed_on:
        raise WorkspaceError(f"the report date {report_date.isoformat()} is before the assessment date "
                             f"{assessed_on.isoformat()}")
    ratings = [b.rating for b in load_framework().bands]
    if published_rating is not None and published_rating not in ratings:
        raise WorkspaceError(f"published rating {published_rating!r} is not one of: {', '.join(ratings)}")
    with ws.transaction() as con:
        found = rows(con.execute("SELECT * FROM cqc_assessments WHERE assessed_on = ?", (assessed_on.isoformat(),)))
        if found:
            aid = found[0]["id"]
            con.execute("UPDATE cqc_assessments SET report_date = coalesce(?, report_date), "
                        "published_rating = coalesce(?, published_rating) WHERE id = ?",
                        (report_date.isoformat() if report_date else None, published_rating, aid))
            action = "update"
        else:
            aid = con.execute("INSERT INTO cqc_assessments (assessed_on, report_date, published_rating, recorded_at, "
                              "recorded_by) VALUES (?, ?, ?, ?, ?)",
                              (assessed_on.isoformat(), report_date.isoformat() if report_date else None,
                               published_rating, utc_now(), actor)).lastrowid
            action = "create"
        for slug, value in checked.items():
            con.execute("INSERT INTO cqc_actual_scores (assessment_id, statement, score) VALUES (?, ?, ?) "
                        "ON CONFLICT (assessment_id, statement) DO UPDATE SET score = excluded.score",
                        (aid, slug, value))
        Workspace.log(con, actor, CQC_ENTITY, aid, action, assessed_on=assessed_on.isoformat(),
                      report_date=report_date, published_rating=published_rating, scores=checked)
    return get_assessment(ws, aid)


def get_assessment(ws: Workspace, assessment_id: int) -> dict[str, Any]:
    with ws.read() as con:
        found = rows(con.execute("SELECT * FROM cqc_assessments WHERE id = ?", (int(assessment_id),)))
        if not found:
            raise NotFound(f"no CQC assessment {assessment_id}")
        scores = {r["statement"]: r["score"] for r in rows(con.execute(
            "SELECT statement, score FROM cqc_actual_scores WHERE assessment_id = ?", (int(assessment_id),)))}
    order = load_framework().slugs
    return {**found[0], "scores": {s: scores[s] for s in order if s in scores}}


def assessments(ws: Workspace) -> list[dict[str, Any]]:
    """Every CQC assessment recorded, newest first."""
    with ws.read() as con:
        ids = [r["id"] for r in rows(con.execute("SELECT id FROM cqc_assessments ORDER BY assessed_on DESC"))]
    return [get_assessment(ws, i) for i in ids]


def _rating(scores: Mapping[str, int]) -> Rating | None:
    return rate(scores, require_all=False) if scores else None


def _overall(rating: Rating | None, n: int, total_statements: int) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {"total": rating.total, "max": rating.max, "percent": rating.percent,
            "exact_percent": rating.exact_percent, "rating": rating.rating, "statements_scored": n,
            "complete": n == total_statements}


def comparison(ws: Workspace, assessment_id: int | None = None) -> dict[str, Any]:
    """Self-assessed and CQC scores side by side (the newest assessment unless one is named)."""
    fw = load_framework()
    own = current_self_scores(ws)
    if assessment_id is None:
        found = assessments(ws)
        assessment = found[0] if found else None
    else:
        assessment = get_assessment(ws, assessment_id)
    actual = assessment["scores"] if assessment else {}
    themes = {t.slug: t.short_title for t in fw.themes}
    statements = []
    for s in fw.statements:
        mine, theirs = own.get(s.slug), actual.get(s.slug)
        diff = mine["score"] - theirs if mine and theirs is not None else None
        statements.append({
            "slug": s.slug, "number": s.number, "title": s.title, "theme": s.theme, "theme_title": themes[s.theme],
            "self_score": mine["score"] if mine else None, "rationale": mine["rationale"] if mine else None,
            "scored_on": mine["scored_on"] if mine else None, "scored_by": mine["recorded_by"] if mine else None,
            "cqc_score": theirs, "difference": diff,
            "agreement": (None if diff is None else "Same as CQC" if diff == 0
                          else f"{abs(diff)} higher than CQC" if diff > 0 else f"{abs(diff)} lower than CQC"),
        })
    own_scores = {slug: r["score"] for slug, r in own.items()}
    n = len(fw.slugs)
    return {
        "statements": statements,
        "self": _overall(_rating(own_scores), len(own_scores), n),
        "cqc": _overall(_rating(actual), len(actual), n),
        "assessment": ({k: assessment[k] for k in ("id", "assessed_on", "report_date", "published_rating")}
                       if assessment else None),
        "matching": sum(1 for r in statements if r["difference"] == 0),
        "compared": sum(1 for r in statements if r["difference"] is not None),
    }
