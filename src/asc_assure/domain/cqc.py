"""The CQC local authority assessment framework, and the rating CQC's published method gives.

* The framework (4 themes, 9 quality statements, evidence categories) is data, in
  ``cqc_framework.yaml`` next to this module, with its CQC sources and version.
* Each quality statement (QS) is scored 1–4: 1 significant shortfalls, 2 some shortfalls, 3 a good
  standard, 4 an exceptional standard. All statements are weighted equally.
* percent = 100 × total / max, where max = 4 × the number of statements scored (all 9 by default).
* Bands, as published: 25–38% Inadequate, 39–62% Requires improvement, 63–87% Good, 88%+ Outstanding.
* Rounding rule: the percentage is the whole number CQC publishes, rounded *up* (21/36 = 58.3% is
  published as 59% and 25/36 = 69.4% as 70%), and the band is read from that whole number, the way
  the whole-number bands are written. So 62.5% is 63% and Good, and 14/36 = 38.9% is 39% and
  Requires improvement. The exact figure is kept alongside, to one decimal place.
* Themes get a total, max and percent for the council's own use; CQC does not rate themes.

No I/O here except reading the packaged framework file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

MIN_SCORE, MAX_SCORE = 1, 4
INADEQUATE, REQUIRES_IMPROVEMENT, GOOD, OUTSTANDING = "Inadequate", "Requires improvement", "Good", "Outstanding"


class CqcScoreError(ValueError):
    """Scores that cannot be rated: unknown or missing statements, or a score that is not 1–4."""


@dataclass(frozen=True)
class Theme:
    slug: str
    title: str
    short_title: str


@dataclass(frozen=True)
class QualityStatement:
    slug: str
    number: int
    theme: str
    title: str
    we_statement: str
    i_statements: tuple[str, ...]
    topic_areas: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Band:
    rating: str
    from_percent: int
    published: str


@dataclass(frozen=True)
class Framework:
    version: str
    source: dict[str, Any]
    scale: dict[int, str]
    bands: tuple[Band, ...]  # lowest first
    evidence_categories: tuple[dict[str, str], ...]
    themes: tuple[Theme, ...]
    statements: tuple[QualityStatement, ...]

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(s.slug for s in self.statements)

    def statement(self, slug: str) -> QualityStatement:
        for s in self.statements:
            if s.slug == slug:
                return s
        raise CqcScoreError(f"unknown quality statement {slug!r}; known: {', '.join(self.slugs)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "scale": self.scale,
            "bands": [b.__dict__ for b in self.bands],
            "evidence_categories": list(self.evidence_categories),
            "themes": [
                {**t.__dict__, "quality_statements": [s.slug for s in self.statements if s.theme == t.slug]}
                for t in self.themes
            ],
            "quality_statements": [
                {**s.__dict__, "i_statements": list(s.i_statements), "topic_areas": list(s.topic_areas),
                 "aliases": list(s.aliases)}
                for s in self.statements
            ],
        }


def parse_framework(raw: Mapping[str, Any]) -> Framework:
    """Build and check a framework from its YAML mapping."""
    themes = tuple(Theme(t["slug"], t["title"], t["short_title"]) for t in raw["themes"])
    theme_slugs = {t.slug for t in themes}
    statements = tuple(
        QualityStatement(
            slug=q["slug"], number=int(q["number"]), theme=q["theme"], title=q["title"],
            we_statement=" ".join(q["we_statement"].split()),
            i_statements=tuple(q.get("i_statements") or ()), topic_areas=tuple(q.get("topic_areas") or ()),
            aliases=tuple(q.get("aliases") or ()), note=(" ".join(q["note"].split()) if q.get("note") else None),
        )
        for q in raw["quality_statements"]
    )
    slugs = [s.slug for s in statements]
    if len(set(slugs)) != len(slugs):
        raise ValueError("duplicate quality statement slug in the CQC framework")
    bad = [s.slug for s in statements if s.theme not in theme_slugs]
    if bad:
        raise ValueError(f"quality statement(s) with unknown theme: {', '.join(bad)}")
    bands = tuple(sorted((Band(b["rating"], int(b["from_percent"]), b["published"]) for b in raw["bands"]),
                         key=lambda b: b.from_percent))
    return Framework(
        version=str(raw["framework_version"]), source=dict(raw["source"]),
        scale={int(k): v for k, v in raw["scale"].items()}, bands=bands,
        evidence_categories=tuple(raw["evidence_categories"]), themes=themes, statements=statements,
    )


@lru_cache(maxsize=1)
def load_framework() -> Framework:
    """The packaged framework (``cqc_framework.yaml``)."""
    text = resources.files("asc_assure.domain").joinpath("cqc_framework.yaml").read_text(encoding="utf-8")
    return parse_framework(yaml.safe_load(text))


def band_for(total: int, maximum: int, framework: Framework | None = None) -> str:
    """The rating for ``total`` out of ``maximum``, read from the published (rounded-up) percentage."""
    fw = framework or load_framework()
    pct = published_percent(total, maximum)
    rating = fw.bands[0].rating
    for band in fw.bands:
        if pct >= band.from_percent:
            rating = band.rating
    return rating


@dataclass(frozen=True)
class ThemeScore:
    slug: str
    title: str
    total: int
    max: int
    percent: int | None
    statements: tuple[str, ...]


@dataclass(frozen=True)
class WhatIf:
    slug: str
    title: str
    score_from: int
    score_to: int
    rating: str


@dataclass(frozen=True)
class Rating:
    scores: dict[str, int]
    total: int
    max: int
    percent: int  # as CQC publishes it: the exact fraction rounded up; the band is read from it
    exact_percent: float  # to one decimal place, for information
    rating: str
    next_rating: str | None
    points_to_next_rating: int | None
    lower_rating: str | None
    points_above_lower_band: int | None
    theme_scores: tuple[ThemeScore, ...]
    what_if: tuple[WhatIf, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": self.scores,
            "total": self.total,
            "max": self.max,
            "percent": self.percent,
            "exact_percent": self.exact_percent,
            "rating": self.rating,
            "next_rating": self.next_rating,
            "points_to_next_rating": self.points_to_next_rating,
            "lower_rating": self.lower_rating,
            "points_above_lower_band": self.points_above_lower_band,
            "theme_scores": [{**t.__dict__, "statements": list(t.statements)} for t in self.theme_scores],
            "what_if": [w.__dict__ for w in self.what_if],
        }


def check_scores(scores: Mapping[str, Any], require_all: bool = True,
                 framework: Framework | None = None) -> dict[str, int]:
    """Validated scores in framework order; raises CqcScoreError naming the offending slug(s)."""
    fw = framework or load_framework()
    unknown = [s for s in scores if s not in fw.slugs]
    if unknown:
        raise CqcScoreError(f"unknown quality statement(s) {', '.join(map(repr, unknown))}; "
                            f"known: {', '.join(fw.slugs)}")
    for slug, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise CqcScoreError(f"score for {slug!r} must be a whole number from 1 to 4, not {value!r}")
        if not MIN_SCORE <= value <= MAX_SCORE:
            raise CqcScoreError(f"score for {slug!r} must be from 1 to 4, not {value}")
    missing = [s for s in fw.slugs if s not in scores]
    if missing and require_all:
        raise CqcScoreError(f"missing score(s) for {', '.join(missing)} (all {len(fw.slugs)} quality "
                            f"statements are required)")
    if not scores:
        raise CqcScoreError("no quality statements scored")
    return {s: scores[s] for s in fw.slugs if s in scores}


def published_percent(total: int, maximum: int) -> int:
    """The whole-number percentage CQC publishes: the exact fraction rounded up."""
    return math.ceil(Fraction(100 * total, maximum))


def _pct(total: int, maximum: int) -> int:
    return published_percent(total, maximum)


def exact_percent(total: int, maximum: int) -> float:
    return round(100 * total / maximum, 1)


def rate(scores: Mapping[str, Any], require_all: bool = True, framework: Framework | None = None) -> Rating:
    """Total, percent, rating, theme scores, distance to the neighbouring bands and the what-if list."""
    fw = framework or load_framework()
    checked = check_scores(scores, require_all, fw)
    n = len(checked)
    total, maximum = sum(checked.values()), MAX_SCORE * n
    rating = band_for(total, maximum, fw)
    order = [b.rating for b in fw.bands]
    idx = order.index(rating)

    # The total can range over n (all 1s) .. 4n (all 4s) with the same statements scored.
    next_rating = order[idx + 1] if idx + 1 < len(order) else None
    points_to_next = None
    if next_rating is not None:
        points_to_next = next(t for t in range(total + 1, maximum + 1) if band_for(t, maximum, fw) != rating) - total
    lower_rating = order[idx - 1] if idx > 0 else None
    points_above = None
    if lower_rating is not None:
        lowest_in_band = min(t for t in range(MIN_SCORE * n, total + 1) if band_for(t, maximum, fw) == rating)
        points_above = total - lowest_in_band

    themes = []
    for theme in fw.themes:
        in_theme = tuple(s.slug for s in fw.statements if s.theme == theme.slug and s.slug in checked)
        t_total, t_max = sum(checked[s] for s in in_theme), MAX_SCORE * len(in_theme)
        themes.append(ThemeScore(theme.slug, theme.short_title, t_total, t_max,
                                 _pct(t_total, t_max) if t_max else None, in_theme))

    what_if = []
    for slug, score in checked.items():
        for step in (1, -1):
            new = score + step
            if MIN_SCORE <= new <= MAX_SCORE:
                new_rating = band_for(total + step, maximum, fw)
                if new_rating != rating:
                    what_if.append(WhatIf(slug, fw.statement(slug).title, score, new, new_rating))

    return Rating(
        scores=checked, total=total, max=maximum, percent=_pct(total, maximum),
        exact_percent=exact_percent(total, maximum), rating=rating,
        next_rating=next_rating, points_to_next_rating=points_to_next, lower_rating=lower_rating,
        points_above_lower_band=points_above, theme_scores=tuple(themes), what_if=tuple(what_if),
    )
