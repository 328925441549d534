"""Benchmarking one council's measure against its peers, its region and England.

Given every council's result for one measure (``la_code, numerator, denominator, outcome``, as a
national ASCOF run produces them) this works out, for one council:

* its value, its rank (1 = best, given the measure's polarity; tied values share the best rank of
  the tie, "1224" competition ranking) and its quartile (1 = the best quarter);
* the England value (all councils' numerators over all denominators, as published), the mean and
  median of council values, the mean of its region and of a peer group the user names (for example
  its nearest statistical neighbours), and its difference from each;
* funnel-plot control limits at 95% and 99.8% around the England value for every council, and which
  councils fall outside them (Spiegelhalter, "Funnel plots for comparing institutional performance",
  Statistics in Medicine 2005):

  - proportions (percentages): normal approximation to the binomial,
    ``p0 ± z * sqrt(p0 * (1 - p0) / n)`` with ``p0`` the England proportion and ``n`` the council's
    denominator, clipped to 0-100%; ``z`` = 1.959964 (95%) and 3.090232 (99.8%);
  - rates per 100,000 (Poisson): exact limits for a Poisson count with the expected value
    ``E = r0 * population``: lower ``chi2(alpha/2; 2E) / 2``, upper ``chi2(1 - alpha/2; 2E + 2) / 2``,
    divided by the population and multiplied by 100,000 (``alpha`` = 0.05 or 0.002).

The council table (names and regions) comes from a CSV the user supplies or, for synthetic data,
from the synthetic council catalogue with regions allotted in proportion to England's nine regions.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import WorkspaceError

POLARITIES = ("higher", "lower", "neutral")
KINDS = ("proportion", "rate")
SCALE = {"proportion": 100.0, "rate": 100_000.0}
UNIT_TEXT = {"proportion": "%", "rate": " per 100,000"}
Z = {"95%": statistics.NormalDist().inv_cdf(1 - 0.05 / 2), "99.8%": statistics.NormalDist().inv_cdf(1 - 0.002 / 2)}
ALPHA = {"95%": 0.05, "99.8%": 0.002}

# England's councils with adult social care responsibilities by region (153 in all). Synthetic councils
# are allotted to regions in these proportions so that regional comparisons have realistic group sizes.
REGIONS: dict[str, int] = {
    "North East": 12, "North West": 24, "Yorkshire and The Humber": 15, "East Midlands": 10,
    "West Midlands": 14, "East of England": 11, "London": 33, "South East": 19, "South West": 15,
}
# Council 1 of the synthetic catalogue ("Wyvernshire") is calibrated on a South East shire county.
REFERENCE_REGION = "South East"


class BenchmarkError(WorkspaceError):
    """Bad benchmarking input, with a message naming the field and the value."""


@dataclass(frozen=True)
class Council:
    la_code: str
    name: str
    region: str | None


@dataclass(frozen=True)
class Comparison:
    """The council against one comparator group's mean."""

    label: str
    councils: int
    mean: float | None
    difference: float | None


@dataclass(frozen=True)
class FunnelPoint:
    la_code: str
    name: str
    numerator: float
    denominator: float
    outcome: float | None
    position: float | None
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float
    band: str
    peer: bool = False

    @property
    def outside_95(self) -> bool:
        return self.band != "within 95% limits"

    @property
    def outside_998(self) -> bool:
        return self.band in ("above 99.8% limit", "below 99.8% limit")


@dataclass
class Benchmark:
    """Everything the CLI prints and the chart draws for one council and one measure."""

    measure: str
    group: str | None
    kind: str
    polarity: str
    council: Council
    numerator: float | None
    denominator: float | None
    value: float | None
    rank: int | None
    ranked: int
    quartile: int | None
    england_value: float | None
    england_mean: float | None
    england_median: float | None
    comparisons: list[Comparison]
    funnel: list[FunnelPoint]
    peers: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return UNIT_TEXT[self.kind]

    def council_point(self) -> FunnelPoint | None:
        return next((p for p in self.funnel if p.la_code == self.council.la_code), None)

    def outside(self, level: str = "99.8%") -> list[FunnelPoint]:
        """Councils outside the given limits (the England centre line), highest position first."""
        pts = [p for p in self.funnel if (p.outside_998 if level == "99.8%" else p.outside_95)]
        return sorted(pts, key=lambda p: -(p.position or 0.0))

    def verdict(self, point: FunnelPoint) -> str:
        """What a point's band means given the polarity: better or worse than England, or just higher/lower."""
        if not point.outside_95:
            return "in line with England"
        above = point.band.startswith("above")
        strength = "significantly " if point.outside_998 else ""
        if self.polarity == "neutral":
            return f"{strength}{'higher' if above else 'lower'} than England"
        better = above == (self.polarity == "higher")
        return f"{strength}{'better' if better else 'worse'} than England"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["unit"] = self.unit
        point = self.council_point()
        out["council_band"] = point.band if point else None
        out["council_verdict"] = self.verdict(point) if point else None
        out["outside_998"] = [p.la_code for p in self.outside("99.8%")]
        out["outside_95"] = [p.la_code for p in self.outside("95%")]
        return out


def measure_polarity(measure: str) -> str:
    """The polarity of an ASCOF measure id (``2A``, ``2B``, ``3D1a`` ...) from the ASCOF catalogue.

    Unknown ids (another measure's results) need ``--polarity``.
    """
    from asc_assure.measures.ascof.catalogue import MEASURES

    for mid, m in MEASURES.items():
        if mid.lower() == measure.strip().lower():
            return "neutral" if m.higher_is_better is None else ("higher" if m.higher_is_better else "lower")
    raise BenchmarkError(f"measure {measure!r} has no known polarity: give --polarity higher, lower or neutral")


# -- council metadata -------------------------------------------------------------------------------
def synthetic_councils(seed: int = 1, councils: int = 153) -> dict[str, Council]:
    """Names, LA codes and regions of the synthetic councils of ``seed``.

    Council *i* has the same code and name whatever the number generated, so the 153-council table
    covers any smaller run with the same seed. Regions are invented: council 1 is put in the South
    East, the others shuffled (seeded) over the remaining regional places.
    """
    from asc_assure.data.synth.catalogue import build_catalogue
    from asc_assure.data.synth.rng import stream

    slots = [region for region, n in REGIONS.items() for _ in range(n)]
    slots.remove(REFERENCE_REGION)
    order = stream(seed, 0, "benchmark-regions").permutation(len(slots))
    out: dict[str, Council] = {}
    for i, spec in enumerate(build_catalogue(seed, councils, None)):
        region = REFERENCE_REGION if i == 0 else slots[int(order[(i - 1) % len(slots)])]
        out[spec.la_code] = Council(spec.la_code, spec.name, region)
    return out


def read_councils(path: Path) -> dict[str, Council]:
    """A council table from CSV with columns ``la_code, name, region`` (other columns ignored)."""
    rows = _read_csv(path)
    missing = {"la_code", "name", "region"} - set(rows[0] if rows else {})
    if missing:
        raise BenchmarkError(f"council file {path} needs the columns la_code, name and region "
                             f"(missing: {', '.join(sorted(missing))})")
    return {_code(r["la_code"], path): Council(_code(r["la_code"], path), r["name"].strip(),
                                                (r["region"] or "").strip() or None) for r in rows}


def read_peers(path: Path) -> list[str]:
    """Peer LA codes from a file: one per line (``#`` starts a comment) or a CSV with an ``la_code`` column."""
    if not Path(path).is_file():
        raise BenchmarkError(f"peer file {path} does not exist")
    text = Path(path).read_text(encoding="utf-8-sig")
    first = text.splitlines()[0].strip().lower() if text.strip() else ""
    if "la_code" in first.split(","):
        return [_code(r["la_code"], path) for r in _read_csv(path) if (r.get("la_code") or "").strip()]
    codes = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        codes.extend(_code(part, path) for part in line.replace(",", " ").split())
    return codes


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not Path(path).is_file():
        raise BenchmarkError(f"file {path} does not exist")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{(k or "").strip().lower(): (v or "") for k, v in row.items()} for row in csv.DictReader(fh)]


def _code(value: object, where: object) -> str:
    text = str(value).strip()
    if text.isdigit() and len(text) <= 3:
        return text.zfill(3)
    raise BenchmarkError(f"LA code {text!r} in {where} is not a three-digit council code")


# -- results ----------------------------------------------------------------------------------------
def read_results(path: Path) -> list[dict[str, Any]]:
    """Councils' measure results from Parquet or CSV (a national run's output)."""
    path = Path(path)
    if not path.exists():
        raise BenchmarkError(f"results file {path} does not exist")
    import duckdb

    parquet = path.suffix.lower() == ".parquet" or path.is_dir()
    target = str(path / "*.parquet") if path.is_dir() else str(path)
    try:
        con = duckdb.connect()
        rel = con.read_parquet(target) if parquet else con.read_csv(target, header=True)
        cols = [c.lower() for c in rel.columns]
        rows = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    except duckdb.Error as exc:
        raise BenchmarkError(f"could not read results file {path}: {exc}") from exc
    missing = {"la_code", "numerator", "denominator", "outcome"} - set(cols)
    if missing:
        raise BenchmarkError(f"results file {path} needs the columns la_code, numerator, denominator and outcome "
                             f"(missing: {', '.join(sorted(missing))})")
    return rows


def select_measure(rows: Iterable[dict[str, Any]], measure: str, group: str | None = "Total") -> list[dict[str, Any]]:
    """The rows of one measure (and group, where the results have groups), one per council."""
    rows = list(rows)
    if rows and "measure" in rows[0]:
        known = sorted({str(r["measure"]) for r in rows})
        rows = [r for r in rows if str(r["measure"]).lower() == measure.lower()]
        if not rows:
            raise BenchmarkError(f"measure {measure!r} is not in the results (measures: {', '.join(known)})")
    if rows and "grp" in rows[0] and group is not None:
        groups = sorted({str(r["grp"]) for r in rows})
        rows = [r for r in rows if str(r["grp"]).lower() == group.lower()]
        if not rows:
            raise BenchmarkError(f"group {group!r} is not in the results for {measure} (groups: {', '.join(groups)})")
    seen: set[str] = set()
    for r in rows:
        code = _code(r["la_code"], "the results")
        if code in seen:
            raise BenchmarkError(f"council {code} has more than one row for {measure} {group or ''}".strip())
        seen.add(code)
    return rows


def infer_kind(rows: Iterable[dict[str, Any]]) -> str:
    """Proportion (outcome = N/D x 100) or rate per 100,000 (outcome = N/D x 100,000), from the figures."""
    ratios = [float(r["outcome"]) / (float(r["numerator"]) / float(r["denominator"]))
              for r in rows if _num(r["outcome"]) and _num(r["numerator"]) and _num(r["denominator"])
              and float(r["numerator"]) > 0 and float(r["denominator"]) > 0]
    if not ratios:
        raise BenchmarkError("cannot tell whether the measure is a percentage or a rate per 100,000 "
                             "(no council has a non-zero numerator); give --kind")
    middle = statistics.median(ratios)
    return "rate" if middle > 1_000 else "proportion"


def _num(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return not math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# -- ranks, quartiles, limits ---------------------------------------------------------------------
def competition_ranks(values: dict[str, float], polarity: str) -> dict[str, int]:
    """Rank 1 = best: highest first for ``higher`` (and ``neutral``), lowest first for ``lower``.

    Ties share the best rank of the tie and the next rank skips ("1224").
    """
    sign = -1.0 if polarity == "lower" else 1.0
    return {code: 1 + sum(1 for w in values.values() if sign * w > sign * v) for code, v in values.items()}


def quartile(rank: int, n: int) -> int:
    """Quartile 1 = the best quarter of the ``n`` ranked councils: ``floor(4 (rank - 1) / n) + 1``."""
    return min(4, (4 * (rank - 1)) // n + 1)


def proportion_limits(p0: float, n: float, level: str) -> tuple[float, float]:
    """Binomial control limits (normal approximation) as proportions in [0, 1]."""
    if n <= 0:
        return 0.0, 1.0
    half = Z[level] * math.sqrt(p0 * (1.0 - p0) / n)
    return max(0.0, p0 - half), min(1.0, p0 + half)


def poisson_limits(r0: float, population: float, level: str) -> tuple[float, float]:
    """Exact Poisson control limits for a rate with England rate ``r0`` per person, as rates per person."""
    from scipy.stats import chi2

    if population <= 0:
        return 0.0, math.inf
    expected = r0 * population
    alpha = ALPHA[level]
    lower = 0.0 if expected <= 0 else float(chi2.ppf(alpha / 2, 2 * expected)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * expected + 2)) / 2
    return lower / population, upper / population


def _band(position: float, l95: float, u95: float, l998: float, u998: float) -> str:
    if position > u998:
        return "above 99.8% limit"
    if position > u95:
        return "above 95% limit"
    if position < l998:
        return "below 99.8% limit"
    if position < l95:
        return "below 95% limit"
    return "within 95% limits"


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def benchmark(rows: list[dict[str, Any]], council: str, *, measure: str, group: str | None = None,
              polarity: str = "higher", kind: str | None = None, councils: dict[str, Council] | None = None,
              peers: Iterable[str] = ()) -> Benchmark:
    """Benchmark ``council`` on one measure's rows (one per council: la_code, numerator, denominator, outcome)."""
    if polarity not in POLARITIES:
        raise BenchmarkError(f"polarity {polarity!r} is not one of {', '.join(POLARITIES)}")
    if kind is not None and kind not in KINDS:
        raise BenchmarkError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    councils = councils or {}
    code = _code(council, "--council")
    by_code = {_code(r["la_code"], "the results"): r for r in rows}
    if code not in by_code:
        raise BenchmarkError(f"council {code} has no result for {measure} (the results cover {len(by_code)} councils)")
    kind = kind or infer_kind(rows)
    scale = SCALE[kind]
    peer_codes = [_code(p, "the peer list") for p in peers]
    notes: list[str] = []
    unknown_peers = [p for p in peer_codes if p not in by_code]
    if unknown_peers:
        notes.append(f"peer councils with no result, left out: {', '.join(unknown_peers)}")
    peer_codes = [p for p in dict.fromkeys(peer_codes) if p in by_code and p != code]

    def info(c: str) -> Council:
        return councils.get(c) or Council(c, f"Council {c}", None)

    values = {c: float(r["outcome"]) for c, r in by_code.items()
              if _num(r["outcome"]) and _num(r["denominator"]) and float(r["denominator"]) > 0}
    ranks = competition_ranks(values, polarity)
    n = len(values)
    me = by_code[code]
    value = values.get(code)
    if value is None:
        notes.append(f"{info(code).name} has no value for {measure} (denominator zero or missing): not ranked")
    total_n = sum(float(r["numerator"]) for c, r in by_code.items() if c in values)
    total_d = sum(float(r["denominator"]) for c, r in by_code.items() if c in values)
    p0 = total_n / total_d if total_d else None
    comparisons = [Comparison("England (mean of councils)", n, _mean(list(values.values())), None)]
    region = info(code).region
    if region:
        members = [v for c, v in values.items() if info(c).region == region]
        comparisons.append(Comparison(f"{region} region (mean of councils)", len(members), _mean(members), None))
    else:
        notes.append(f"no region known for council {code}: region comparison left out (give --councils)")
    if peer_codes:
        members = [values[c] for c in peer_codes if c in values]
        comparisons.append(Comparison("Peer group (mean of councils)", len(members), _mean(members), None))
    comparisons = [Comparison(c.label, c.councils, c.mean, None if value is None or c.mean is None
                              else value - c.mean) for c in comparisons]
    funnel: list[FunnelPoint] = []
    if p0 is not None:
        for c, r in sorted(by_code.items()):
            if c not in values:
                continue
            num, den = float(r["numerator"]), float(r["denominator"])
            limits = {lv: (proportion_limits(p0, den, lv) if kind == "proportion" else poisson_limits(p0, den, lv))
                      for lv in ("95%", "99.8%")}
            (l95, u95), (l998, u998) = (tuple(x * scale for x in limits[lv]) for lv in ("95%", "99.8%"))
            position = num / den * scale
            funnel.append(FunnelPoint(c, info(c).name, num, den, values[c], position, l95, u95, l998, u998,
                                      _band(position, l95, u95, l998, u998), c in peer_codes))
    return Benchmark(
        measure=measure, group=group, kind=kind, polarity=polarity, council=info(code),
        numerator=_float(me.get("numerator")), denominator=_float(me.get("denominator")), value=value,
        rank=ranks.get(code), ranked=n, quartile=quartile(ranks[code], n) if code in ranks else None,
        england_value=None if p0 is None else p0 * scale, england_mean=_mean(list(values.values())),
        england_median=statistics.median(values.values()) if values else None,
        comparisons=comparisons, funnel=funnel, peers=peer_codes, notes=notes)


def _float(value: object) -> float | None:
    return float(value) if _num(value) else None  # type: ignore[arg-type]


# -- the web page's national file -------------------------------------------------------------------
# The web page benchmarks against a national results file the council loads (the CLI reads the same
# shape with --results). It is kept in the workspace's files folder, normalised to Parquet, with the
# optional peer list and council table beside it, so every page view reads the same, checked files.
RESULTS_FILE = "national.parquet"
RESULTS_INFO = "national.json"
PEERS_FILE = "peers.txt"
COUNCILS_FILE = "councils.csv"


def benchmark_dir(ws: Any) -> Path:
    """Where the workspace keeps its national results, peer list and council table."""
    return Path(ws.files_dir) / "benchmark"


def save_results(ws: Any, source: Path, original_name: str, actor: str, origin: str = "upload") -> dict[str, Any]:
    """Check a national results file (Parquet, CSV or ``asc-assure ascof --json`` output) and keep it.

    The file must hold ``la_code, measure, numerator, denominator, outcome`` (``grp`` defaults to
    ``Total``): the web page chooses a measure and group from it, unlike the CLI which can take a file of
    one measure. Returns what was kept (also saved as ``national.json``) for the audit log and the page.
    """
    import datetime as dt
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _read_ascof_json(source, original_name) if Path(source).suffix.lower() == ".json" else read_results(source)
    if not rows:
        raise BenchmarkError(f"results file {original_name} has no rows")
    if "measure" not in rows[0]:
        raise BenchmarkError(f"results file {original_name} needs a measure column (for example the output of "
                             "`asc-assure ascof --json` or the Spark job's Parquet)")
    clean = []
    for r in rows:
        clean.append({"la_code": _code(r["la_code"], original_name), "measure": str(r["measure"]),
                      "grp": str(r.get("grp") or "Total"), "numerator": _float(r["numerator"]),
                      "denominator": _float(r["denominator"]), "outcome": _float(r["outcome"])})
    seen: set[tuple[str, str, str]] = set()
    for r in clean:
        key = (r["la_code"], r["measure"], r["grp"])
        if key in seen:
            raise BenchmarkError(f"results file {original_name} has more than one row for council {key[0]}, "
                                 f"{key[1]} {key[2]}")
        seen.add(key)
    schema = pa.schema([("la_code", pa.string()), ("measure", pa.string()), ("grp", pa.string()),
                        ("numerator", pa.float64()), ("denominator", pa.float64()), ("outcome", pa.float64())])
    folder = benchmark_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{RESULTS_FILE}.tmp"
    pq.write_table(pa.Table.from_pylist(clean, schema=schema), tmp)
    tmp.replace(folder / RESULTS_FILE)
    periods = sorted({f"{r['period_start']} to {r['period_end']}" for r in rows
                      if r.get("period_start") is not None and r.get("period_end") is not None})
    info = {"file": original_name, "loaded_by": actor, "loaded_at": dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"), "rows": len(clean), "councils": len({r["la_code"] for r in clean}),
        "measures": sorted({r["measure"] for r in clean}), "period": ", ".join(periods) or None, "origin": origin}
    (folder / RESULTS_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def _read_ascof_json(path: Path, name: str) -> list[dict[str, Any]]:
    """The figures of ``asc-assure ascof --json`` (run over a store of many councils) as result rows."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        period = data.get("period") or {}
        return [{**r, "period_start": period.get("start"), "period_end": period.get("end")}
                for r in data["figures"] if isinstance(r, dict)]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BenchmarkError(f"{name} is not the JSON that `asc-assure ascof --json` writes ({exc})") from exc


def results_info(ws: Any) -> dict[str, Any] | None:
    """What national file is loaded (name, who, when, size), or None when there is none."""
    import json

    folder = benchmark_dir(ws)
    if not (folder / RESULTS_FILE).is_file() or not (folder / RESULTS_INFO).is_file():
        return None
    return json.loads((folder / RESULTS_INFO).read_text(encoding="utf-8"))


def load_results(ws: Any) -> list[dict[str, Any]]:
    """The workspace's national results (empty when none is loaded)."""
    if results_info(ws) is None:
        return []
    return read_results(benchmark_dir(ws) / RESULTS_FILE)


def save_peers(ws: Any, codes: Iterable[str]) -> list[str]:
    """Keep the workspace's peer group (LA codes, checked, duplicates dropped); an empty list clears it."""
    checked = list(dict.fromkeys(_code(c, "the peer list") for c in codes))
    folder = benchmark_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PEERS_FILE).write_text("".join(f"{c}\n" for c in checked), encoding="utf-8")
    return checked


def parse_peer_text(text: str) -> list[str]:
    """LA codes typed or pasted as text: separated by spaces, commas or new lines; ``#`` starts a comment."""
    codes: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        codes.extend(_code(part, "the peer list") for part in line.replace(",", " ").split())
    return codes


def load_peers(ws: Any) -> list[str]:
    path = benchmark_dir(ws) / PEERS_FILE
    return read_peers(path) if path.is_file() else []


def save_councils(ws: Any, source: Path) -> dict[str, Council]:
    """Check a council table (``la_code, name, region``) and keep it for names and regional comparisons."""
    table = read_councils(source)
    folder = benchmark_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    _write_councils(folder / COUNCILS_FILE, table.values())
    return table


def _write_councils(path: Path, councils: Iterable[Council]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["la_code", "name", "region"])
        writer.writerows([c.la_code, c.name, c.region or ""] for c in councils)


def load_councils(ws: Any) -> dict[str, Council]:
    path = benchmark_dir(ws) / COUNCILS_FILE
    return read_councils(path) if path.is_file() else {}


# -- demo -------------------------------------------------------------------------------------------
DEMO_COMPARATORS = 11  # synthetic councils besides the demo council
DEMO_PEOPLE = 120_000  # council 1's population in the comparator run; the others scale with it


def seed_demo(ws: Any, store_dir: Path, today: Any) -> None:
    """Load a national file for the demo: the demo council's own ASCOF beside synthetic comparators.

    The comparators are computed, not typed: ``DEMO_COMPARATORS`` further synthetic councils of the same
    generator (seed 1, smaller populations so this takes seconds) are generated for the demo's latest
    financial year, loaded into a scratch store under the workspace files folder and run through the
    ASCOF engine; the demo council's rows are its own figures from its own store. Their names and invented
    regions are written as the council table, and the next three councils are saved as its peers.
    """
    import datetime as dt
    import shutil
    import tempfile

    from asc_assure.data.ingest import ingest_files
    from asc_assure.data.store import Store
    from asc_assure.data.synth import generate
    from asc_assure.measures.ascof import engine
    from asc_assure.measures.ascof.periods import available
    from asc_assure.measures.ascof.spark import result_rows

    span = engine.data_range(store_dir)
    if span is None:
        return
    years = [p for p in available(span[0], min(span[1], today)) if p.kind == "year"]
    if not years:
        return
    period = years[0]
    own = engine.run(store_dir, period)
    scratch = benchmark_dir(ws) / "demo-comparators"
    if scratch.exists():
        shutil.rmtree(scratch)
    try:
        generate(scratch / "extracts", seed=1, people=DEMO_PEOPLE, start=period.start, end=period.end,
                 councils=DEMO_COMPARATORS + 1)
        files = sorted(p for p in (scratch / "extracts").rglob("*.csv")
                       if p.name.startswith(("cld_", "population", "hospital_episodes")))
        ingest_files(scratch / "store", files, as_of=period.end + dt.timedelta(days=30),
                     key=b"asc-assure-demo-comparators-key!", actor="demo")
        others = engine.run(scratch / "store", period)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    mine = set(own.councils)
    rows = result_rows(own) + [r for r in result_rows(others) if r["la_code"] not in mine]
    table = synthetic_councils(1, DEMO_COMPARATORS + 1)
    name = Store(store_dir).meta.get("council")
    for code in mine:
        known = table.get(code)
        table[code] = Council(code, name or (known.name if known else f"Council {code}"),
                              known.region if known else REFERENCE_REGION)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        save_results(ws, path, f"demo: {len(mine)} council(s) + {DEMO_COMPARATORS} synthetic comparators, "
                                f"{period.label}", "demo", origin="demo")
    folder = benchmark_dir(ws)
    _write_councils(folder / COUNCILS_FILE, sorted(table.values(), key=lambda c: c.la_code))
    save_peers(ws, [c for c in sorted(table) if c not in mine][:3])
