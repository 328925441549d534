"""Case tracking for the CQC assessment: propose 50 people with a documented mix, shortlist 10, record
consent and pseudonymised pen pictures.

Why it is built this way:

* **From the data, reproducibly.** Councils in CQC's pilots found compiling the 50 "an almost manual
  approach of seeking cases from multiple different teams". Here the candidates come from the store
  (CLD events, referrals, reviews, safeguarding, people, areas) as of a date, and the list is built by
  greedy quota-filling with a seeded random order (rules in ``case_mix.yaml``). The same store, date
  and seed always give the same 50, so the list can be checked and explained.
* **Nobody's identity.** Only the pseudonymised person key is stored. Everything shown and exported
  calls a person "Case 01" .. "Case 50"; exports carry age band, primary support reason, ethnicity
  group, locality, the reasons the case was chosen, consent and the pen picture, never the key.
  Pen pictures are checked for NHS numbers, full postcodes, dates, e-mail addresses, phone numbers,
  pseudonyms and reference-like codes (and, when the key is at hand, the person's own reference).
* **Swaps keep the mix.** A team manager may know a case is unsuitable (for example the person is
  too unwell). A suggested replacement keeps every minimum that was met; a person the user names is
  accepted with a warning listing any minimum it breaks.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from collections import deque
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError, rows, utc_now

ENTITY_CASE = "tracked_case"
ENTITY_PROPOSAL = "case_proposal"
CONSENT = {"not_asked": "Not asked", "asked": "Asked", "given": "Given", "declined": "Declined"}
RANDOM_FILL = "Chosen at random to complete the list"
UNKNOWN = "Unknown"


@lru_cache(maxsize=1)
def load_mix() -> dict[str, Any]:
    """The packaged mix rules (quotas per dimension, size, shortlist size, activity window)."""
    text = (resources.files("asc_assure.assurance") / "case_mix.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def label(number: int) -> str:
    return f"Case {number:02d}"


def parse_label(text: str | int) -> int:
    """'Case 07', '07' or 7 -> 7."""
    m = re.fullmatch(r"\s*(?:case\s*)?0*(\d{1,2})\s*", str(text), flags=re.IGNORECASE)
    if not m or int(m.group(1)) == 0:
        raise WorkspaceError(f"case {text!r} is not a case label (use 'Case 07' or 7)")
    return int(m.group(1))


# -- candidates from the store ---------------------------------------------------------------------
def age_band(dob: dt.date | None, as_of: dt.date) -> str:
    if dob is None:
        return UNKNOWN
    age = as_of.year - dob.year - ((as_of.month, as_of.day) < (dob.month, dob.day))
    if age < 18:
        return "under 18"
    return "18-25" if age <= 25 else "26-64" if age <= 64 else "65-84" if age <= 84 else "85+"


def psr_group(psr: str | None) -> str:
    if not psr or psr == UNKNOWN:
        return UNKNOWN
    return psr.split(":", 1)[0].strip()


def ethnicity_group(ethnicity: str | None) -> str:
    if not ethnicity or ethnicity.startswith("No data"):
        return "Not known"
    head, _, tail = ethnicity.partition(":")
    if head == "White":
        return "White British" if tail.strip().startswith("English") else "White other"
    return head.strip()


_CANDIDATES_SQL = """
WITH ev AS (
    SELECT la_person_unique_identifier AS pk, event_type, client_type, request_route_of_access AS route,
           event_start_date AS s, coalesce(event_end_date, event_start_date) AS e, event_end_date,
           date_of_birth, date_of_death, ethnicity, primary_support_reason
    FROM cld WHERE la_person_unique_identifier IS NOT NULL AND event_start_date <= $as_of
), c AS (
    SELECT pk, max(date_of_birth) AS dob, max(date_of_death) AS dod,
           arg_max(ethnicity, s) FILTER (WHERE ethnicity IS NOT NULL) AS eth,
           arg_max(primary_support_reason, s) FILTER (WHERE primary_support_reason IS NOT NULL) AS psr,
           bool_or(e >= $start OR (event_type = 'Service' AND event_end_date IS NULL)) AS active,
           bool_or(event_type IN ('Assessment', 'Review') AND e >= $start AND e <= $as_of) AS assessed,
           bool_or(client_type LIKE 'Unpaid carer%' AND e >= $start) AS carer,
           bool_or(route = 'Planned entry (transition)' AND s >= $start) AS transition_route,
           bool_or(route = 'Discharge from hospital' AND s >= $start) AS discharge
    FROM ev GROUP BY pk
), r AS (
    SELECT person_id AS pk,
           bool_or(received_date >= $start OR closed_date IS NULL OR closed_date > $as_of) AS active,
           bool_or(assessment_completed_date BETWEEN $start AND $as_of) AS assessed,
           bool_or(lower(coalesce(referral_source, '')) LIKE '%hospital%' AND received_date >= $start) AS discharge,
           arg_max(locality, received_date) FILTER (WHERE locality IS NOT NULL) AS loc
    FROM referrals WHERE received_date <= $as_of GROUP BY person_id
), v AS (
    SELECT person_id AS pk,
           bool_or(service_end_date IS NULL OR service_end_date >= $start) AS active,
           bool_or(review_completed_date BETWEEN $start AND $as_of
                   OR last_review_date BETWEEN $start AND $as_of) AS assessed
    FROM reviews WHERE service_start_date <= $as_of GROUP BY person_id
), sc AS (
    SELECT person_id AS pk, arg_max(locality, received_date) FILTER (WHERE locality IS NOT NULL) AS loc
    FROM safeguarding_concerns WHERE received_date BETWEEN $start AND $as_of GROUP BY person_id
), se AS (
    SELECT DISTINCT person_id AS pk FROM safeguarding_enquiries WHERE start_date BETWEEN $start AND $as_of
), p AS (
    SELECT pe.person_id AS pk, pe.date_of_birth AS dob, pe.date_of_death AS dod, pe.ethnicity AS eth,
           pe.primary_support_reason AS psr, ar.locality AS loc
    FROM people pe LEFT JOIN (SELECT lsoa_code, any_value(locality) AS locality FROM areas GROUP BY lsoa_code) ar
         ON ar.lsoa_code = pe.lsoa_code
), k AS (
    SELECT pk FROM c WHERE active UNION SELECT pk FROM r WHERE active UNION SELECT pk FROM v WHERE active
    UNION SELECT pk FROM sc UNION SELECT pk FROM se
)
SELECT k.pk, coalesce(p.dob, c.dob) AS dob, coalesce(p.dod, c.dod) AS dod, coalesce(p.eth, c.eth) AS eth,
       coalesce(p.psr, c.psr) AS psr, coalesce(p.loc, r.loc, sc.loc) AS loc,
       coalesce(c.assessed, false) OR coalesce(r.assessed, false) OR coalesce(v.assessed, false) AS assessed,
       sc.pk IS NOT NULL OR se.pk IS NOT NULL AS safeguarding,
       coalesce(c.carer, false) AS carer, coalesce(c.transition_route, false) AS transition_route,
       coalesce(c.discharge, false) OR coalesce(r.discharge, false) AS discharge
FROM k LEFT JOIN p USING (pk) LEFT JOIN c USING (pk) LEFT JOIN r USING (pk) LEFT JOIN v USING (pk)
     LEFT JOIN sc USING (pk) LEFT JOIN se USING (pk)
ORDER BY k.pk
"""

KINDS_USED = ("cld", "referrals", "reviews", "safeguarding_concerns", "safeguarding_enquiries", "people", "areas")


def candidates(store_dir: Path, as_of: dt.date, window_days: int | None = None) -> list[dict[str, Any]]:
    """Everyone aged 18+ with adult social care activity in the window before ``as_of``, alive on it.

    Each carries the mix attributes; flags are the yes/no dimensions. Sorted by person key, so the
    order depends on the data only.
    """
    from asc_assure.data.store import Store, StoreError

    window = int(window_days or load_mix()["window_days"])
    try:
        store = Store(store_dir)
    except StoreError as exc:
        raise WorkspaceError(str(exc)) from None
    con = store.connect(as_of, first_if_later=True, only=KINDS_USED)
    try:
        found = con.execute(_CANDIDATES_SQL, {"as_of": as_of, "start": as_of - dt.timedelta(days=window)}).fetchall()
    finally:
        con.close()
    out = []
    for pk, dob, dod, eth, psr, loc, assessed, safeguarding, carer, transition_route, discharge in found:
        if dod is not None and dod <= as_of:
            continue
        band = age_band(dob, as_of)
        if band == "under 18":
            continue
        flags = [name for name, on in (
            ("recent_assessment_review", assessed), ("safeguarding", safeguarding), ("carer", carer),
            ("transitions", band == "18-25" or transition_route), ("hospital_discharge", discharge)) if on]
        out.append({"person_key": pk, "age_band": band, "psr": psr or UNKNOWN, "psr_group": psr_group(psr),
                    "ethnicity_group": ethnicity_group(eth), "locality": loc or UNKNOWN, "flags": flags})
    return out


# -- quotas and selection --------------------------------------------------------------------------
@dataclass(frozen=True)
class Quota:
    """A minimum (and perhaps maximum) number of cases with one value of a dimension, or one flag."""

    key: str
    label: str
    dimension: str
    category: str | None  # None for a flag
    minimum: int
    maximum: int | None = None

    def holds(self, case: dict[str, Any]) -> bool:
        if self.category is None:
            return self.dimension in case["flags"]
        return case[self.dimension] == self.category


def build_quotas(mix: dict[str, Any], pool: list[dict[str, Any]]) -> list[Quota]:
    """The mix as a list of quotas; ``each`` expands to every value seen in the pool (not Unknown)."""
    out: list[Quota] = []
    for dim, spec in (mix.get("dimensions") or {}).items():
        mins = dict(spec.get("minimums") or {})
        maxs = dict(spec.get("maximums") or {})
        if spec.get("each") is not None:
            for value in sorted({c[dim] for c in pool} - {UNKNOWN}):
                mins.setdefault(value, int(spec["each"]))
        for value in sorted(set(mins) | set(maxs)):
            out.append(Quota(f"{dim}={value}", f"{spec.get('label', dim)}: {value}", dim, str(value),
                             int(mins.get(value, 0)), int(maxs[value]) if value in maxs else None))
    for flag, spec in (mix.get("flags") or {}).items():
        out.append(Quota(f"flag={flag}", spec.get("label", flag), flag, None, int(spec.get("minimum", 0)),
                         int(spec["maximum"]) if spec.get("maximum") is not None else None))
    return out


def _over_max(sig: tuple[bool, ...], counts: list[int], quotas: list[Quota]) -> bool:
    return any(on and q.maximum is not None and counts[i] >= q.maximum
               for i, (on, q) in enumerate(zip(sig, quotas, strict=True)))


def select(pool: list[dict[str, Any]], mix: dict[str, Any], seed: int, size: int | None = None
           ) -> tuple[list[tuple[dict[str, Any], list[str]]], list[Quota]]:
    """Pick ``size`` people: greedy quota-filling in a seeded random order, then random fill.

    Returns (person, reasons) pairs in the order chosen, and the quotas used.
    """
    size = int(size or mix.get("size", 50))
    quotas = build_quotas(mix, pool)
    order = list(range(len(pool)))
    random.Random(seed).shuffle(order)
    groups: dict[tuple[bool, ...], deque[int]] = {}
    for idx in order:
        groups.setdefault(tuple(q.holds(pool[idx]) for q in quotas), deque()).append(idx)
    rank = {idx: r for r, idx in enumerate(order)}
    counts = [0] * len(quotas)
    chosen: list[tuple[dict[str, Any], list[str]]] = []
    taken: set[int] = set()

    def take(idx: int, sig: tuple[bool, ...], reasons: list[str]) -> None:
        for i, on in enumerate(sig):
            counts[i] += on
        taken.add(idx)
        chosen.append((pool[idx], reasons))

    while len(chosen) < size:
        best: tuple[int, int, tuple[bool, ...]] | None = None
        for sig, members in groups.items():
            if not members or _over_max(sig, counts, quotas):
                continue
            score = sum(1 for i, on in enumerate(sig) if on and counts[i] < quotas[i].minimum)
            if score and (best is None or (score, -rank[members[0]]) > (best[0], -rank[best[1]])):
                best = (score, members[0], sig)
        if best is None:
            break
        _score, idx, sig = best
        groups[sig].popleft()
        take(idx, sig, [q.label for i, q in enumerate(quotas) if sig[i] and counts[i] < q.minimum])
    for idx in order:
        if len(chosen) >= size:
            break
        if idx in taken:
            continue
        sig = tuple(q.holds(pool[idx]) for q in quotas)
        if not _over_max(sig, counts, quotas):
            take(idx, sig, [RANDOM_FILL])
    return chosen, quotas


def mix_report(cases: list[dict[str, Any]], quotas: list[Quota], available: dict[str, int] | None = None
               ) -> list[dict[str, Any]]:
    """Target against achieved for every quota, with how many people in the data could count."""
    out = []
    for q in quotas:
        achieved = sum(q.holds(c) for c in cases)
        avail = (available or {}).get(q.key)
        met = achieved >= q.minimum and (q.maximum is None or achieved <= q.maximum)
        note = ""
        if not met and avail is not None and avail < q.minimum:
            note = f"only {avail} in the data"
        out.append({"key": q.key, "label": q.label, "minimum": q.minimum, "maximum": q.maximum,
                    "achieved": achieved, "available": avail, "met": met, "note": note})
    return out


# -- the workspace record --------------------------------------------------------------------------
def _current_proposal(con: Any) -> dict[str, Any] | None:
    row = con.execute("SELECT * FROM case_proposals WHERE current = 1 ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    out = dict(row)
    out["mix"] = json.loads(out["mix"])
    return out


def current_proposal(ws: Workspace) -> dict[str, Any] | None:
    with ws.read() as con:
        return _current_proposal(con)


def _require_proposal(con: Any) -> dict[str, Any]:
    prop = _current_proposal(con)
    if prop is None:
        raise WorkspaceError("no cases have been proposed yet (propose 50 first)")
    return prop


def _case_row(r: dict[str, Any]) -> dict[str, Any]:
    r = dict(r)
    r["flags"] = json.loads(r["flags"])
    r["reasons"] = json.loads(r["reasons"])
    r["label"] = label(r["number"])
    r["shortlisted"] = bool(r["shortlisted"])
    r["active"] = bool(r["active"])
    r["consent_text"] = CONSENT[r["consent_status"]]
    return r


def propose(ws: Workspace, store_dir: Path, *, actor: str, seed: int, as_of: dt.date, replace: bool = False,
            mix: dict[str, Any] | None = None) -> dict[str, Any]:
    """Propose the list of cases from the store and make it the current list.

    A current list with a shortlist, consent or pen pictures is only replaced when ``replace`` is set,
    because that work would be set aside (it stays in the workspace, no longer current).
    """
    mix = mix or load_mix()
    pool = candidates(store_dir, as_of, mix.get("window_days"))
    if not pool:
        raise WorkspaceError(f"no adults with activity in the {mix.get('window_days', 365)} days to "
                             f"{as_of.isoformat()} were found in the store")
    chosen, quotas = select(pool, mix, seed, mix.get("size"))
    available = {q.key: sum(q.holds(c) for c in pool) for q in quotas}
    now = utc_now()
    with ws.transaction() as con:
        old = _current_proposal(con)
        if old is not None:
            worked = con.execute(
                "SELECT count(*) FROM tracked_cases WHERE proposal_id = ? AND (shortlisted = 1 OR "
                "consent_status != 'not_asked' OR pen_picture != '')", (old["id"],)).fetchone()[0]
            if worked and not replace:
                raise WorkspaceError(f"the current list (proposed {old['created_at'][:10]}) has {worked} cases with "
                                     "a shortlist, consent or pen picture; confirm replacing it")
            con.execute("UPDATE case_proposals SET current = 0 WHERE id = ?", (old["id"],))
        cur = con.execute(
            "INSERT INTO case_proposals (seed, as_of, pool_size, mix, current, created_at, created_by)"
            " VALUES (?, ?, ?, ?, 1, ?, ?)",
            (seed, as_of.isoformat(), len(pool),
             json.dumps({"config": mix, "quotas": [asdict(q) for q in quotas], "available": available}), now, actor))
        pid = cur.lastrowid
        for n, (person, reasons) in enumerate(chosen, 1):
            con.execute(
                "INSERT INTO tracked_cases (proposal_id, number, person_key, age_band, psr, psr_group, ethnicity_group,"
                " locality, flags, reasons, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, n, person["person_key"], person["age_band"], person["psr"], person["psr_group"],
                 person["ethnicity_group"], person["locality"], json.dumps(person["flags"]), json.dumps(reasons),
                 now, now))
        Workspace.log(con, actor, ENTITY_PROPOSAL, pid, "propose", seed=seed, as_of=as_of.isoformat(),
                      pool=len(pool), cases=len(chosen), replaced=old["id"] if old else None)
    return {"proposal_id": pid, "seed": seed, "as_of": as_of.isoformat(), "pool_size": len(pool),
            "cases": list_cases(ws), "mix": mix_summary(ws)}


def list_cases(ws: Workspace, *, include_swapped: bool = False, shortlisted: bool | None = None
               ) -> list[dict[str, Any]]:
    """The current list's cases, in case-number order (swapped-out people only when asked)."""
    with ws.read() as con:
        prop = _current_proposal(con)
        if prop is None:
            return []
        found = [_case_row(r) for r in rows(con.execute(
            "SELECT * FROM tracked_cases WHERE proposal_id = ? ORDER BY number, active DESC, id", (prop["id"],)))]
    if not include_swapped:
        found = [c for c in found if c["active"]]
    if shortlisted is not None:
        found = [c for c in found if c["shortlisted"] == shortlisted]
    return found


def get_case(ws: Workspace, case: str | int) -> dict[str, Any]:
    number = parse_label(case)
    for c in list_cases(ws):
        if c["number"] == number:
            return c
    raise NotFound(f"there is no {label(number)} in the current list")


def _quotas(prop: dict[str, Any]) -> list[Quota]:
    return [Quota(**q) for q in prop["mix"]["quotas"]]


def mix_summary(ws: Workspace) -> dict[str, Any]:
    """Target against achieved for the current list, and whether every minimum is met."""
    prop = current_proposal(ws)
    if prop is None:
        return {"rows": [], "all_met": False, "proposal": None}
    report = mix_report(list_cases(ws), _quotas(prop), prop["mix"]["available"])
    return {"rows": report, "all_met": all(r["met"] for r in report),
            "proposal": {k: prop[k] for k in ("id", "seed", "as_of", "pool_size", "created_at", "created_by")}}


def _swap_options(pool: list[dict[str, Any]], active: list[dict[str, Any]], out_case: dict[str, Any],
                  quotas: list[Quota], used: set[str], seed: int, number: int, attempt: int) -> dict[str, Any] | None:
    """The replacement most like the outgoing person that keeps every met minimum (seeded tie-break)."""
    counts = [sum(q.holds(c) for c in active) for q in quotas]
    out_sig = [q.holds(out_case) for q in quotas]
    order = list(range(len(pool)))
    random.Random(f"{seed}:{number}:{attempt}").shuffle(order)
    best: tuple[int, int] | None = None
    for idx in order:
        cand = pool[idx]
        if cand["person_key"] in used:
            continue
        ok = True
        same = 0
        for i, q in enumerate(quotas):
            holds = q.holds(cand)
            after = counts[i] - out_sig[i] + holds
            if (counts[i] >= q.minimum > after) or (q.maximum is not None and after > max(q.maximum, counts[i])):
                ok = False
                break
            same += holds == out_sig[i]
        if ok and (best is None or same > best[0]):
            best = (same, idx)
            if same == len(quotas):
                break
    return pool[best[1]] if best else None


def suggest_replacement(ws: Workspace, store_dir: Path, case: str | int) -> dict[str, Any] | None:
    """Who would replace a case (nothing is written); None when nobody keeps the mix."""
    c = get_case(ws, case)
    with ws.read() as con:
        prop = _require_proposal(con)
        used = {r[0] for r in con.execute("SELECT person_key FROM tracked_cases WHERE proposal_id = ?", (prop["id"],))}
        attempt = con.execute("SELECT count(*) FROM tracked_cases WHERE proposal_id = ? AND number = ?",
                              (prop["id"], c["number"])).fetchone()[0]
    pool = candidates(store_dir, dt.date.fromisoformat(prop["as_of"]), prop["mix"]["config"].get("window_days"))
    found = _swap_options(pool, list_cases(ws), c, _quotas(prop), used, prop["seed"], c["number"], attempt)
    return {k: v for k, v in found.items() if k != "person_key"} | {"label": c["label"]} if found else None


def swap_case(ws: Workspace, store_dir: Path, case: str | int, *, actor: str, replacement: str | None = None,
              reason: str = "") -> dict[str, Any]:
    """Replace a case; the new person takes the same label. Returns the new case and any warnings.

    Without ``replacement`` the suggested person is used (keeps every minimum that was met). With a
    pseudonymised person key, that person must be a candidate on the list's date and not already used;
    minimums the swap breaks are returned as warnings.
    """
    c = get_case(ws, case)
    if c["shortlisted"]:
        raise WorkspaceError(f"{c['label']} is on the shortlist; take it off the shortlist before swapping it")
    with ws.read() as con:
        prop = _require_proposal(con)
        used = {r[0] for r in con.execute("SELECT person_key FROM tracked_cases WHERE proposal_id = ?", (prop["id"],))}
        attempt = con.execute("SELECT count(*) FROM tracked_cases WHERE proposal_id = ? AND number = ?",
                              (prop["id"], c["number"])).fetchone()[0]
    as_of = dt.date.fromisoformat(prop["as_of"])
    pool = candidates(store_dir, as_of, prop["mix"]["config"].get("window_days"))
    quotas = _quotas(prop)
    active = list_cases(ws)
    if replacement:
        key = replacement.strip()
        if key in used:
            raise WorkspaceError(f"person {key!r} is already in this list (or was swapped out of it)")
        new = next((p for p in pool if p["person_key"] == key), None)
        if new is None:
            raise WorkspaceError(f"person {key!r} is not an adult with activity in the year to {as_of.isoformat()} "
                                 "in the store")
        reasons = ["Picked by the council as a replacement"]
    else:
        new = _swap_options(pool, active, c, quotas, used, prop["seed"], c["number"], attempt)
        if new is None:
            raise WorkspaceError(f"nobody else in the data keeps the mix if {c['label']} is swapped; name a person")
        reasons = ["Suggested replacement keeping the mix"]
    after = [x for x in active if x["number"] != c["number"]] + [new]
    before_rep = {r["key"]: r for r in mix_report(active, quotas)}
    warnings = [f"{r['label']}: {r['achieved']} after the swap, minimum {r['minimum']}"
                for r in mix_report(after, quotas) if before_rep[r["key"]]["met"] and not r["met"]]
    now = utc_now()
    with ws.transaction() as con:
        con.execute("UPDATE tracked_cases SET active = 0, swapped_out_at = ?, swap_reason = ?, updated_at = ?"
                    " WHERE id = ?", (now, reason.strip(), now, c["id"]))
        cur = con.execute(
            "INSERT INTO tracked_cases (proposal_id, number, person_key, age_band, psr, psr_group, ethnicity_group,"
            " locality, flags, reasons, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (prop["id"], c["number"], new["person_key"], new["age_band"], new["psr"], new["psr_group"],
             new["ethnicity_group"], new["locality"], json.dumps(new["flags"]), json.dumps(reasons), now, now))
        Workspace.log(con, actor, ENTITY_CASE, c["label"], "swap", reason=reason.strip(), old_id=c["id"],
                      new_id=cur.lastrowid, named=bool(replacement), warnings=warnings)
    return {"case": get_case(ws, c["number"]), "warnings": warnings}


def set_shortlist(ws: Workspace, cases: list[str | int], *, actor: str) -> list[dict[str, Any]]:
    """The cases CQC selected (at most the shortlist size, 10 by default); replaces any earlier shortlist."""
    numbers = sorted({parse_label(c) for c in cases})
    limit = int(load_mix().get("shortlist", 10))
    if len(numbers) > limit:
        raise WorkspaceError(f"the shortlist holds at most {limit} cases; {len(numbers)} were given")
    active = {c["number"]: c for c in list_cases(ws)}
    for n in numbers:
        if n not in active:
            raise NotFound(f"there is no {label(n)} in the current list")
    before = sorted(n for n, c in active.items() if c["shortlisted"])
    now = utc_now()
    with ws.transaction() as con:
        prop = _require_proposal(con)
        con.execute("UPDATE tracked_cases SET shortlisted = 0, updated_at = ? WHERE proposal_id = ? AND active = 1"
                    " AND shortlisted = 1", (now, prop["id"]))
        for n in numbers:
            con.execute("UPDATE tracked_cases SET shortlisted = 1, updated_at = ? WHERE id = ?", (now, active[n]["id"]))
        Workspace.log(con, actor, ENTITY_PROPOSAL, prop["id"], "shortlist", before=[label(n) for n in before],
                      after=[label(n) for n in numbers])
    return list_cases(ws, shortlisted=True)


def _shortlisted(ws: Workspace, case: str | int) -> dict[str, Any]:
    c = get_case(ws, case)
    if not c["shortlisted"]:
        raise WorkspaceError(f"{c['label']} is not on the shortlist; consent and pen pictures are for the "
                             "cases CQC selected")
    return c


def record_consent(ws: Workspace, case: str | int, *, actor: str, status: str, on: dt.date | None,
                   today: dt.date) -> dict[str, Any]:
    """Consent to speak with CQC: asked, given or declined, with the date (not asked clears the date)."""
    if status not in CONSENT:
        raise WorkspaceError(f"consent {status!r} is not one of: {', '.join(CONSENT)}")
    c = _shortlisted(ws, case)
    if status != "not_asked":
        if on is None:
            raise WorkspaceError(f"give the date consent was {CONSENT[status].lower()}")
        if on > today:
            raise WorkspaceError(f"consent date {on.isoformat()} is in the future")
    day = on.isoformat() if on and status != "not_asked" else None
    with ws.transaction() as con:
        con.execute("UPDATE tracked_cases SET consent_status = ?, consent_date = ?, updated_at = ? WHERE id = ?",
                    (status, day, utc_now(), c["id"]))
        Workspace.log(con, actor, ENTITY_CASE, c["label"], "consent", status={"from": c["consent_status"],
                                                                             "to": status}, date=day)
    return get_case(ws, c["number"])


# -- pen pictures ----------------------------------------------------------------------------------
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
           "september|october|november|december")
_CHECKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("what looks like an NHS number", re.compile(r"(?<![\d+])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d])")),
    ("a phone number", re.compile(r"(?:\+44\s?\(?0?\)?\s?|(?<!\d)0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")),
    ("a full postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    ("a full date (leave out dates of birth: give an age band instead)", re.compile(
        rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|"
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}\b|"
        rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE)),
    ("a pseudonymised key", re.compile(r"\b[PNC]-[0-9a-f]{16}\b", re.IGNORECASE)),
    ("what looks like a case or person reference", re.compile(r"\b[A-Za-z]{1,5}[-/]?\d{5,}[A-Za-z]?\b|\b\d{6,}\b")),
)


def pen_picture_problems(text: str, person_key: str | None = None, key: bytes | None = None) -> list[str]:
    """What in a pen picture could identify someone (empty when it is fine).

    With the pseudonymisation ``key``, any code-like word whose person pseudonym is ``person_key`` (the
    person's own local reference) is caught too, without ever looking the reference up.
    """
    problems = []
    for what, pattern in _CHECKS:
        for m in pattern.finditer(text):
            problems.append(f"{what} ('{m.group(0).strip()}')")
    if person_key and person_key.lower() in text.lower():
        problems.append("the person's own pseudonymised key")
    if key and person_key:
        from asc_assure.data.pseudonymise import Pseudonymiser

        ps = Pseudonymiser(key)
        for token in set(re.findall(r"[A-Za-z0-9][A-Za-z0-9/_-]{2,}", text)):
            if any(ch.isdigit() for ch in token) and ps.one(token, "person_ref") == person_key:
                problems.append(f"the person's own local reference ('{token}')")
    seen: set[str] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]


def store_key(store_dir: Path) -> bytes | None:
    """The pseudonymisation key, if it is configured here and is the store's key (else None)."""
    try:
        from asc_assure.data.pseudonymise import fingerprint, load_key
        from asc_assure.data.store import Store

        key = load_key(create=False)
        return key if Store(store_dir).meta.get("key_fingerprint") == fingerprint(key) else None
    except Exception:  # no key here, or not this store's: fall back to the pattern checks
        return None


def set_pen_picture(ws: Workspace, case: str | int, text: str, *, actor: str, key: bytes | None = None
                    ) -> dict[str, Any]:
    """Save a shortlisted case's pen picture after checking it holds nothing that identifies the person."""
    c = _shortlisted(ws, case)
    text = (text or "").strip()
    if not text:
        raise WorkspaceError(f"the pen picture for {c['label']} is empty")
    problems = pen_picture_problems(text, c["person_key"], key)
    if problems:
        raise WorkspaceError(f"the pen picture for {c['label']} contains " + "; ".join(problems)
                             + ". Remove identifying details: CQC receives pen pictures without them.")
    with ws.transaction() as con:
        con.execute("UPDATE tracked_cases SET pen_picture = ?, updated_at = ? WHERE id = ?", (text, utc_now(), c["id"]))
        Workspace.log(con, actor, ENTITY_CASE, c["label"], "pen_picture", characters=len(text))
    return get_case(ws, c["number"])


def reveal_key(ws: Workspace, case: str | int, *, actor: str, reason: str) -> str:
    """A case's pseudonymised person key, for looking the person up in the council's own system.

    Logged with who asked and why; the key then goes to ``asc-assure store reveal``, itself audited.
    """
    if not reason.strip():
        raise WorkspaceError("say why you need the person key (reason is empty)")
    c = get_case(ws, case)
    with ws.transaction() as con:
        Workspace.log(con, actor, ENTITY_CASE, c["label"], "view_key", reason=reason.strip())
    return c["person_key"]


# -- exports ---------------------------------------------------------------------------------------
EXPORT_HEADER = ("Case", "Age band", "Primary support reason", "Ethnicity", "Locality", "Reasons chosen",
                 "Shortlisted", "Consent", "Consent date", "Pen picture")


def export_rows(ws: Workspace, *, shortlisted_only: bool = False) -> list[list[str]]:
    """One row per case, with no person key: what CSV and Word exports show."""
    return [[c["label"], c["age_band"], c["psr"], c["ethnicity_group"], c["locality"], "; ".join(c["reasons"]),
             "Yes" if c["shortlisted"] else "No", c["consent_text"], c["consent_date"] or "", c["pen_picture"]]
            for c in list_cases(ws, shortlisted=True if shortlisted_only else None)]


def export(ws: Workspace, out: Path, *, actor: str, shortlisted_only: bool = False) -> Path:
    """Write the case list as .csv or .docx (chosen by the file name); the export is logged."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in {".csv", ".docx"}:
        raise WorkspaceError(f"export file {out.name!r} must end in .csv or .docx")
    data = export_rows(ws, shortlisted_only=shortlisted_only)
    if not data:
        raise WorkspaceError("there are no cases to export (propose 50 first)")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(EXPORT_HEADER)
            w.writerows(data)
    else:
        _write_docx(ws, out, data)
    with ws.transaction() as con:
        Workspace.log(con, actor, ENTITY_PROPOSAL, "current", "export", file=out.name, cases=len(data))
    return out


def _write_docx(ws: Workspace, out: Path, data: list[list[str]]) -> None:
    from asc_assure.reports import word

    summary = mix_summary(ws)
    prop = summary["proposal"]
    doc = word.new_document("CQC case tracking", subject="Cases proposed for CQC case tracking")
    word.paragraphs(doc, f"Cases proposed from the council's data as of {prop['as_of']} (selection seed "
                         f"{prop['seed']}, {prop['pool_size']} adults eligible). People are identified only by "
                         "their case label; the council holds the link to its records separately.")
    word.heading(doc, "Mix of the list", 1)
    word.table(doc, ("Group", "Minimum", "Maximum", "In the list", "Met"),
               [(r["label"], r["minimum"], r["maximum"] if r["maximum"] is not None else "", r["achieved"],
                 ("Yes" if r["met"] else "No") + (f" ({r['note']})" if r["note"] else "")) for r in summary["rows"]])
    word.heading(doc, "Cases", 1)
    word.table(doc, EXPORT_HEADER[:9], [row[:9] for row in data])
    pens = [row for row in data if row[9]]
    if pens:
        word.heading(doc, "Pen pictures", 1)
        for row in pens:
            word.heading(doc, row[0], 2)
            word.paragraphs(doc, row[9])
    word.save(doc, out)


# -- demo ------------------------------------------------------------------------------------------
DEMO_SEED = 2025
DEMO_AS_OF = dt.date(2025, 3, 7)


def demo_pen_picture(c: dict[str, Any]) -> str:
    """A pen picture written from the case's own attributes (no identifiers), for the demo only."""
    bits = {"recent_assessment_review": "had an assessment or review in the last year",
            "safeguarding": "were the subject of a safeguarding concern in the last year",
            "carer": "are an unpaid carer", "transitions": "are at the age of moving on from children's services",
            "hospital_discharge": "came to adult social care on leaving hospital"}
    flags = [bits[f] for f in c["flags"] if f in bits]
    age = {"18-25": "a young adult", "26-64": "an adult of working age", "65-84": "an older person",
           "85+": "a person aged over 85"}.get(c["age_band"], "an adult")
    text = f"{c['label']} is {age} living in the {c['locality']} locality. Their primary support reason is " \
           f"{c['psr'].lower()}."
    if flags:
        text += " They " + ", ".join(flags[:-1]) + (" and " if len(flags) > 1 else "") + flags[-1] + "."
    return text + " They would like to talk about how their support was planned and what difference it made."


def seed_demo(ws: Workspace, store_dir: Path, today: dt.date) -> None:
    """50 cases proposed from the demo store on 7 March 2025, 10 shortlisted, consent part-recorded."""
    if current_proposal(ws) is not None:
        return
    propose(ws, store_dir, actor="demo", seed=DEMO_SEED, as_of=DEMO_AS_OF)
    cases = list_cases(ws)
    picks = [c["number"] for c in cases[::5]][:10]
    set_shortlist(ws, picks, actor="demo")
    outcomes = ["given"] * 6 + ["declined"] * 2 + ["asked"] * 2
    for n, (number, status) in enumerate(zip(picks, outcomes, strict=False)):
        record_consent(ws, number, actor="demo", status=status, on=dt.date(2025, 3, 18 + n % 5), today=today)
        if status == "given" and n < 4:
            set_pen_picture(ws, number, demo_pen_picture(get_case(ws, number)), actor="demo")
