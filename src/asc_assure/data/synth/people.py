"""People known to adult social care, with coherent demographics and one identity everywhere.

Every stream (referrals, safeguarding, DoLS, services, carers) either creates people here or reuses
someone already here, so a person has the same ``person_id`` and NHS number in every file. A
person's date of death is drawn when they are created (mortality by age and by the setting they are
found in), and every later stream respects it: nobody is referred, reviewed or admitted after
death, and "deceased" outcomes come only from these dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import polars as pl

from ..contracts import code_lists
from .catalogue import CouncilSpec
from .geography import Geography
from .rng import pick
from .workdays import NEVER, first_of_month

SERVICE_USER, CARER = 0, 1
SEX_VALUES = ("female", "male", "other", "unknown")
CLD_GENDER = ("Female", "Male", "Other", "Unknown")
AGE_BANDS = np.array([[18, 25], [25, 45], [45, 65], [65, 75], [75, 85], [85, 101]], dtype=np.float64)
#: Age-band mix of each group of people (18-24, 25-44, 45-64, 65-74, 75-84, 85+).
AGE_PROFILES = {
    "lts": (0.05, 0.13, 0.16, 0.14, 0.24, 0.28),
    "lts_residential": (0.02, 0.04, 0.06, 0.10, 0.28, 0.50),
    "referral": (0.03, 0.07, 0.13, 0.16, 0.27, 0.34),
    "hospital": (0.01, 0.03, 0.08, 0.17, 0.32, 0.39),
    "learning_disability": (0.28, 0.42, 0.26, 0.04, 0.0, 0.0),
    "mental_health": (0.10, 0.36, 0.34, 0.12, 0.05, 0.03),
    "front_door": (0.05, 0.12, 0.17, 0.16, 0.24, 0.26),
    "concern": (0.07, 0.15, 0.17, 0.14, 0.21, 0.26),
    "dols": (0.01, 0.02, 0.05, 0.10, 0.30, 0.52),
    "carer": (0.02, 0.10, 0.33, 0.25, 0.22, 0.08),
}
#: Annual mortality by age band for each group (frailer groups die sooner).
MORTALITY = {
    "default": (0.01, 0.01, 0.02, 0.04, 0.08, 0.18),
    "lts": (0.01, 0.01, 0.03, 0.06, 0.10, 0.19),
    "lts_residential": (0.05, 0.05, 0.10, 0.20, 0.27, 0.36),
    "hospital": (0.02, 0.03, 0.05, 0.10, 0.16, 0.26),
    "dols": (0.05, 0.05, 0.10, 0.18, 0.26, 0.36),
    "front_door": (0.005, 0.005, 0.01, 0.02, 0.05, 0.11),
    "carer": (0.002, 0.002, 0.005, 0.015, 0.04, 0.10),
}
# Ethnicity shares of residents among those not White British (reference council, Census 2021
# shaped): indices refer to the cld_ethnicity code list.
_NON_WB_SHARES = {
    "White: Any other White background": 0.070, "White: Irish": 0.008,
    "White: Gypsy or Irish Traveller": 0.001, "White: Roma": 0.001,
    "Asian or Asian British: Indian": 0.019, "Asian or Asian British: Pakistani": 0.015,
    "Asian or Asian British: Bangladeshi": 0.004, "Asian or Asian British: Chinese": 0.009,
    "Asian or Asian British: Any other Asian background": 0.015,
    "Black, Black British, Caribbean or African: African": 0.016,
    "Black, Black British, Caribbean or African: Caribbean": 0.006,
    "Black, Black British, Caribbean or African: Any other Black, Black British or Caribbean background": 0.003,
    "Mixed or multiple ethnic groups: White and Asian": 0.011,
    "Mixed or multiple ethnic groups: White and Black Caribbean": 0.008,
    "Mixed or multiple ethnic groups: White and Black African": 0.004,
    "Mixed or multiple ethnic groups: Any other Mixed or multiple ethnic background": 0.010,
    "Other ethnic group: Arab": 0.003, "Other ethnic group: Any other ethnic group": 0.009,
    "No data: Refused": 0.003, "No data: Undeclared or not known": 0.016,
}
WHITE_BRITISH = "White: English, Welsh, Scottish, Northern Irish or British"
PSR_YOUNG = {
    "Learning disability support": 0.22, "Mental health support": 0.24,
    "Physical support: Personal care support": 0.27, "Physical support: Access and mobility only": 0.06,
    "Support with memory and cognition": 0.03, "Sensory support: Support for visual impairment": 0.015,
    "Sensory support: Support for hearing impairment": 0.01, "Social support: Substance misuse support": 0.03,
    "Social support: Support for social isolation or other reason": 0.05,
    "Social support: Asylum seeker support": 0.005, "Unknown": 0.05,
}
PSR_OLD = {
    "Physical support: Personal care support": 0.55, "Support with memory and cognition": 0.18,
    "Physical support: Access and mobility only": 0.11, "Mental health support": 0.05,
    "Sensory support: Support for visual impairment": 0.02, "Sensory support: Support for hearing impairment": 0.01,
    "Sensory support: Support for dual impairment": 0.005,
    "Social support: Support for social isolation or other reason": 0.03,
    "Social support: Support to unpaid carer": 0.01, "Learning disability support": 0.01, "Unknown": 0.025,
}
GENERAL_ACCOMMODATION = {
    "Owner occupier or shared ownership scheme": 0.52,
    "Tenant: Local authority or other social housing provider": 0.19, "Tenant: Private landlord": 0.08,
    "Settled mainstream housing with family or friends": 0.10,
    "Sheltered housing, extra care housing or other sheltered housing": 0.05,
    "Staying with family or friends as a short term guest": 0.01,
    "Placed in temporary accommodation by the council (inc. homelessness resettlement)": 0.005,
    "Rough sleeper or squatting": 0.002, "Unknown": 0.043,
}
YES_NO_UNKNOWN = ("Yes", "No", "Unknown")
VISUAL = ("Blind/severely sight impaired", "Partial sight/sight impaired", "No visual impairment",
          "Visual impairment - severity unknown", "Unknown")
HEARING = ("Deaf with speech", "Deaf without speech", "Hard of hearing", "No hearing impairment",
           "Hearing impairment: Severity unknown", "Unknown")
UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)


@cache
def valid_test_nhs_numbers() -> np.ndarray:
    """Every valid NHS number in the 999 test range (first nine digits 999xxxxxx), ascending.

    Vectorised Modulus 11 (the same rule as ``domain.nhs_number``): weights 10..2, check digit
    11 - remainder, 11 -> 0, 10 -> no valid number.
    """
    first_nine = np.arange(999_000_000, 1_000_000_000, dtype=np.int64)
    total = np.zeros_like(first_nine)
    rest = first_nine.copy()
    for weight in range(2, 11):
        total += (rest % 10) * weight
        rest //= 10
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    ok = check != 10
    return first_nine[ok] * 10 + check[ok]


def label_list(name: str) -> tuple[str, ...]:
    return code_lists()[name].values


def _index_of(values: tuple[str, ...], labels: list[str]) -> np.ndarray:
    return np.array([values.index(v) for v in labels], dtype=np.int64)


@dataclass
class People:
    """A growing table of people; columns are parallel numpy arrays once ``freeze`` is called."""

    spec: CouncilSpec
    geo: Geography
    rng: np.random.Generator
    parts: list[dict[str, np.ndarray]] = field(default_factory=list)
    n: int = 0
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    # ----------------------------------------------------------------- creation
    def col(self, name: str) -> np.ndarray:
        """A column over everyone created so far (before or after ``freeze``)."""
        if self.cols:
            return self.cols[name]
        return np.concatenate([p[name] for p in self.parts]) if self.parts else np.zeros(0, dtype=np.int64)

    def sample_age(self, n: int, profile: str) -> np.ndarray:
        band = pick(self.rng, n, AGE_PROFILES[profile])
        lo, hi = AGE_BANDS[band, 0], AGE_BANDS[band, 1]
        return lo + (hi - lo) * self.rng.random(n)

    def death_after(self, ref_day: np.ndarray, age: np.ndarray, mortality: str) -> np.ndarray:
        """Day of death for people alive on ``ref_day`` (may be far beyond the extract)."""
        rates = np.asarray(MORTALITY.get(mortality, MORTALITY["default"]))
        band = np.clip(np.searchsorted(AGE_BANDS[:, 0], age, side="right") - 1, 0, 5)
        annual = rates[band]
        hazard = -np.log1p(-annual) / 365.25
        wait = np.floor(self.rng.exponential(1.0, len(age)) / hazard).astype(np.int64)
        return np.minimum(np.asarray(ref_day, dtype=np.int64) + 1 + wait, NEVER)

    def add(self, ref_day: np.ndarray, profile: str, *, age: np.ndarray | None = None,
            death: np.ndarray | None = None, mortality: str | None = None, locality: np.ndarray | None = None,
            psr: np.ndarray | None = None, kind: int = SERVICE_USER, known_from: np.ndarray | None = None,
            ) -> np.ndarray:
        """Create people first seen on ``ref_day``; returns their indices."""
        ref_day = np.asarray(ref_day, dtype=np.int64)
        n = len(ref_day)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        rng = self.rng
        if age is None:
            age = self.sample_age(n, profile)
        if death is None:
            death = self.death_after(ref_day, age, mortality or profile)
        dob = first_of_month(ref_day - np.floor(age * 365.25).astype(np.int64))
        old = age >= 65
        female_p = np.where(age >= 85, 0.68, np.where(old, 0.58, 0.5))
        if profile == "learning_disability":
            female_p = np.full(n, 0.42)
        u = rng.random(n)
        sex = np.where(u < 0.004, 2, np.where(u < 0.010, 3, np.where(rng.random(n) < female_p, 0, 1)))
        ethnicity = self._ethnicity(n, old)
        lsoa = self._lsoa(n, old, locality)
        if psr is None:
            psr = self._psr(n, age, profile) if kind == SERVICE_USER else np.full(n, -1)
        gp = self._gp(lsoa)
        self.parts.append({
            "dob": dob, "death": np.maximum(death, ref_day), "sex": sex, "ethnicity": ethnicity, "lsoa": lsoa,
            "psr": np.asarray(psr, dtype=np.int64), "gp": gp, "kind": np.full(n, kind, dtype=np.int64),
            "known_from": ref_day if known_from is None else np.asarray(known_from, dtype=np.int64),
            "unit": rng.integers(0, len(UNIT_LETTERS), size=(n, 2)),
        })
        idx = np.arange(self.n, self.n + n, dtype=np.int64)
        self.n += n
        return idx

    def _ethnicity(self, n: int, old: np.ndarray) -> np.ndarray:
        values = label_list("cld_ethnicity")
        labels = list(_NON_WB_SHARES)
        shares = np.array(list(_NON_WB_SHARES.values()))
        nwb = self.spec.non_white_british * np.where(old, 0.45, 1.15)
        is_other = self.rng.random(n) < np.clip(nwb, 0, 0.95)
        which = self.rng.choice(len(labels), size=n, p=shares / shares.sum())
        return np.where(is_other, _index_of(values, labels)[which], values.index(WHITE_BRITISH))

    def _lsoa(self, n: int, old: np.ndarray, locality: np.ndarray | None) -> np.ndarray:
        geo = self.geo
        weights_young = geo.lsoa_adults.astype(np.float64)
        weights_old = weights_young * np.where(geo.lsoa_rural, 1.35, 1.0)
        out = np.empty(n, dtype=np.int64)
        loc_of_lsoa = geo.lsoa_locality
        groups = np.zeros(n, dtype=np.int64) if locality is None else np.asarray(locality)
        for g in np.unique(groups):
            members = np.flatnonzero(groups == g)
            pool = np.arange(len(loc_of_lsoa)) if locality is None else np.flatnonzero(loc_of_lsoa == g)
            for is_old, weights in ((False, weights_young), (True, weights_old)):
                who = members[old[members] == is_old]
                if len(who) == 0:
                    continue
                cum = np.cumsum(weights[pool])
                pos = np.searchsorted(cum, self.rng.random(len(who)) * cum[-1], side="right")
                out[who] = pool[np.minimum(pos, len(pool) - 1)]
        return out

    def _psr(self, n: int, age: np.ndarray, profile: str) -> np.ndarray:
        values = label_list("cld_primary_support_reason")
        if profile == "learning_disability":
            return np.full(n, values.index("Learning disability support"))
        if profile == "mental_health":
            return np.full(n, values.index("Mental health support"))
        young = list(PSR_YOUNG)
        old = list(PSR_OLD)
        a = _index_of(values, young)[pick(self.rng, n, PSR_YOUNG)]
        b = _index_of(values, old)[pick(self.rng, n, PSR_OLD)]
        return np.where(age < 65, a, b)

    def _gp(self, lsoa: np.ndarray) -> np.ndarray:
        geo = self.geo
        district = geo.lsoa_district[lsoa]
        out = np.full(len(lsoa), -1, dtype=np.int64)
        for d in range(len(geo.districts)):
            who = np.flatnonzero(district == d)
            pool = np.flatnonzero(geo.gp_district == d)
            if len(who) and len(pool):
                out[who] = pool[self.rng.integers(0, len(pool), len(who))]
        out[self.rng.random(len(lsoa)) < 0.01] = -1
        return out

    # ----------------------------------------------------------------- finishing
    def freeze(self) -> None:
        """Concatenate the parts into columns and give everyone an id and NHS number."""
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        self.parts = []
        n = self.n
        rng = self.rng
        order = np.argsort(cols["known_from"] + rng.integers(0, 30, n), kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        cols["number"] = int(rng.integers(100_000, 400_000)) + rank
        valid = valid_test_nhs_numbers()
        nhs = valid[rng.choice(len(valid), size=n, replace=False)]
        cols["nhs"] = np.where(rng.random(n) < 0.03, -1, nhs)
        self.cols = cols

    def describe(self, ref_day: int, setting: np.ndarray, component: np.ndarray, has_carer: np.ndarray,
                 self_funder: np.ndarray) -> None:
        """Fill the CLD person fields that depend on support: accommodation, funding, carer, health.

        ``setting`` is each person's latest long-term support setting (-1 none, 0 community,
        1 residential, 2 nursing) and ``component`` its main component code (-1 none).
        """
        rng = self.rng
        c = self.cols
        n = self.n
        age = (ref_day - c["dob"]) / 365.25
        psr_values = label_list("cld_primary_support_reason")
        acc_values = label_list("cld_accommodation_status")
        components = label_list("cld_service_component")
        acc = pick_labels(rng, n, GENERAL_ACCOMMODATION, acc_values)
        ld = c["psr"] == psr_values.index("Learning disability support")
        ld_acc = pick_labels(rng, n, {"Settled mainstream housing with family or friends": 0.45,
                                      "Supported accommodation, supported lodgings or supported group home": 0.35,
                                      "Tenant: Local authority or other social housing provider": 0.15,
                                      "Unknown": 0.05}, acc_values)
        acc = np.where(ld, ld_acc, acc)
        for comp, label in (
            ("Community supported living", "Supported accommodation, supported lodgings or supported group home"),
            ("Shared Lives", "Shared Lives scheme"),
            ("Extra care housing", "Sheltered housing, extra care housing or other sheltered housing"),
        ):
            acc = np.where(component == components.index(comp), acc_values.index(label), acc)
        acc = np.where(setting == 1, acc_values.index("Registered care home"), acc)
        acc = np.where(setting == 2, acc_values.index("Registered nursing home"), acc)
        emp_values = label_list("cld_employment_status")
        emp = np.where(age >= 65, emp_values.index("Not in paid employment: Not actively seeking work or retired"),
                       pick_labels(rng, n, {"Not in paid employment: Not actively seeking work or retired": 0.45,
                                            "Not in paid employment: Seeking work": 0.1,
                                            "Paid: Less than 16 hours a week": 0.1,
                                            "Paid: 16 or more hours a week": 0.1,
                                            "Not in paid employment: Voluntary work only": 0.05, "Unknown": 0.2},
                                   emp_values))
        emp = np.where(rng.random(n) < 0.1, emp_values.index("Unknown"), emp)
        carer = np.where(rng.random(n) < 0.35, 0, np.where(rng.random(n) < 0.7, 1, 2))  # Yes / No / Unknown
        carer[has_carer] = 0
        fund_values = label_list("cld_client_funding_status")
        fund = np.where(setting >= 0, pick_labels(rng, n, {"Joint client and social care funded": 0.55,
                                                            "Fully social care funded": 0.40, "Unknown": 0.05},
                                                  fund_values), -1)
        fund = np.where(self_funder & (setting < 0), fund_values.index("Fully client funded"), fund)
        memory = c["psr"] == psr_values.index("Support with memory and cognition")
        dementia = np.where(memory, 0, np.where(rng.random(n) < np.where(age >= 80, 0.18, 0.04), 0, 1))
        dementia = np.where(rng.random(n) < 0.1, 2, dementia)
        asd = np.where(ld & (rng.random(n) < 0.3), 0, np.where(rng.random(n) < 0.85, 1, 2))
        u = rng.random(n)
        visual = np.where(c["psr"] == psr_values.index("Sensory support: Support for visual impairment"), 0,
                          np.where(u < 0.04, 1, np.where(u < 0.9, 2, 4)))
        u = rng.random(n)
        hearing = np.where(c["psr"] == psr_values.index("Sensory support: Support for hearing impairment"), 2,
                           np.where(u < 0.08, 2, np.where(u < 0.9, 3, 5)))
        carers = c["kind"] == CARER
        c.update(accommodation=acc, employment=emp, has_carer=np.where(carers, -1, carer), funding=fund,
                 dementia=dementia, asd=asd, visual=visual, hearing=hearing)

    def person_ids(self, idx: np.ndarray | None = None) -> pl.Series:
        nums = self.cols["number"] if idx is None else self.cols["number"][idx]
        return ids("P", nums, 7)

    def nhs_strings(self, idx: np.ndarray | None = None) -> pl.Series:
        nhs = self.cols["nhs"] if idx is None else self.cols["nhs"][idx]
        s = pl.Series(nhs)
        return pl.select(pl.when(s >= 0).then(s.cast(pl.Utf8))).to_series()

    def locality(self, idx: np.ndarray) -> np.ndarray:
        return self.geo.lsoa_locality[self.col("lsoa")[idx]]

    def age_on(self, idx: np.ndarray, day: np.ndarray | int) -> np.ndarray:
        return (np.asarray(day) - self.col("dob")[idx]) / 365.25

    def postcodes(self) -> pl.Series:
        geo = self.geo
        lsoa = self.cols["lsoa"]
        unit = self.cols["unit"]
        return pl.select(pl.concat_str([
            pl.Series(geo.lsoa_outward[lsoa].tolist(), dtype=pl.Utf8), pl.lit(" "),
            pl.Series(geo.lsoa_sector[lsoa]).cast(pl.Utf8),
            pl.Series(UNIT_LETTERS[unit[:, 0]].tolist(), dtype=pl.Utf8),
            pl.Series(UNIT_LETTERS[unit[:, 1]].tolist(), dtype=pl.Utf8),
        ])).to_series()


def ids(prefix: str, nums: np.ndarray, width: int) -> pl.Series:
    """Format reference numbers: ``ids("R", [12], 7)`` -> ``"R0000012"``."""
    s = pl.Series(np.asarray(nums, dtype=np.int64)).cast(pl.Utf8).str.zfill(width)
    return pl.select(pl.concat_str([pl.lit(prefix), s])).to_series()


def labels(values: tuple[str, ...] | np.ndarray, codes: np.ndarray) -> pl.Series:
    """Map integer codes to labels (negative code = blank)."""
    codes = np.asarray(codes, dtype=np.int64)
    if len(values) == 0:
        return pl.Series([None] * len(codes), dtype=pl.Utf8)
    vals = pl.Series([str(v) for v in values], dtype=pl.Utf8)
    picked = vals.gather(pl.Series(np.clip(codes, 0, len(values) - 1)))
    return pl.select(pl.when(pl.Series(codes >= 0)).then(picked).otherwise(None)).to_series().alias("")


def pick_labels(rng: np.random.Generator, n: int, shares: dict[str, float], values: tuple[str, ...]) -> np.ndarray:
    """Draw codes (indices into ``values``) with label shares."""
    return _index_of(values, list(shares))[pick(rng, n, shares)]
