"""The councils to generate: invented names, LA codes, populations and local character.

Names are built from invented stems ("Tarnwick", "Morvdale") so none is a real council. LA codes are
three-digit numbers drawn without replacement for the whole run; they are invented and may by
chance equal a real council's code. Council 1 is the calibrated reference council ("Wyvernshire",
about 700,000 residents); councils 2..N vary in size (150k-1.6m residents, log-normal around
330k, as English councils do), age profile, ethnicity, rurality and deprivation, so many-council
runs look like a national return rather than 153 copies of one council.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np

from .calibration import REFERENCE_POPULATION, REFERENCE_SHARE_18_64, REFERENCE_SHARE_65
from .rng import stream

STEMS = ("Brack", "Cind", "Drev", "Elsk", "Fald", "Gorm", "Hesk", "Ilm", "Jard", "Korr", "Lund",
         "Morv", "Nesk", "Orr", "Pell", "Quarn", "Rusk", "Sull", "Tarn", "Umb", "Vell", "Wrax", "Yelm",
         "Zenn", "Ashk", "Brev", "Corm", "Dursk")
SUFFIXES = ("dale", "wick", "mere", "holm", "combe", "stow", "worth", "ridge", "moor", "field",
            "vale", "shire")
KINDS = ("County Council", "Borough Council", "City Council", "Council", "Metropolitan Borough Council")

# Real UK postcode areas, excluded so invented addresses can never be real ones.
REAL_POSTCODE_AREAS = frozenset({
    "AB", "AL", "BA", "BB", "BD", "BF", "BH", "BL", "BM", "BN", "BR", "BS", "BT", "BX", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "EC", "EH", "EN",
    "EX", "FK", "FY", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV",
    "JE", "KA", "KT", "KW", "KY", "LA", "LD", "LE", "LL", "LN", "LS", "LU", "ME", "MK", "ML", "NE", "NG", "NN",
    "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "SA", "SE", "SG", "SK",
    "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW",
    "UB", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
})


@dataclass(frozen=True)
class CouncilSpec:
    """One council's identity and character (everything else is generated from these)."""

    index: int
    la_code: str
    name: str
    slug: str
    population: int
    share_65: float
    share_18_64: float
    non_white_british: float
    rural_share: float
    mean_imd_decile: float
    backlog_factor: float
    localities: int
    postcode_area: str
    gp_prefix: str
    lsoa_base: int

    @property
    def short_name(self) -> str:
        return self.name.split(" ")[0]

    @property
    def folder(self) -> str:
        return f"{self.la_code}_{self.slug}"

    def demand_index(self, older_weight: float = 0.7) -> float:
        """Activity relative to the reference council: population weighted towards the 65+."""
        young = self.share_18_64 / REFERENCE_SHARE_18_64
        old = self.share_65 / REFERENCE_SHARE_65
        return self.population / REFERENCE_POPULATION * ((1 - older_weight) * young + older_weight * old)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace(" council", "")).strip("-")


def _postcode_areas(seed: int) -> list[str]:
    first = "ABCDEFGHJKLMNOPRSTUWYZ"
    second = "ABDEFGHJKLMNOPRSTUWY"
    pool = [a + b for a in first for b in second if a + b not in REAL_POSTCODE_AREAS and a + b != "WY"]
    rng = stream(seed, 0, "postcode-areas")
    return ["WY", *[pool[i] for i in rng.permutation(len(pool))]]


def build_catalogue(seed: int, councils: int, people: int | None) -> list[CouncilSpec]:
    """The councils of a run. Council 1 has ``people`` residents (default 700,000)."""
    if councils < 1:
        raise ValueError("councils must be at least 1")
    base_population = int(people) if people else REFERENCE_POPULATION
    scale = base_population / REFERENCE_POPULATION
    rng = stream(seed, 0, "catalogue")
    codes = rng.permutation(np.arange(100, 1000))
    names = [s + x for s in STEMS for x in SUFFIXES]
    order = rng.permutation(len(names))
    areas = _postcode_areas(seed)
    if councils > len(order) or councils > len(areas):
        raise ValueError(f"at most {min(len(order), len(areas))} councils can be generated")
    specs: list[CouncilSpec] = []
    lsoa_next = 0
    for i in range(councils):
        r = stream(seed, i + 1, "council-character")
        if i == 0:
            name, population = "Wyvernshire County Council", base_population
            share_65, nwb, rural, imd, backlog, localities = REFERENCE_SHARE_65, 0.232, 0.40, 7.2, 1.0, 5
        else:
            stem = names[order[i]]
            raw = float(np.clip(np.exp(np.log(330_000) + 0.6 * r.standard_normal()), 150_000, 1_600_000))
            population = max(1_000, round(raw * scale))
            urban = population > 400_000 * scale and r.random() < 0.5
            kind = KINDS[0] if (raw > 450_000 and not urban) else KINDS[int(r.integers(1, len(KINDS)))]
            name = f"{stem} {kind}"
            share_65 = float(np.clip(r.normal(0.19, 0.035) - (0.03 if urban else 0.0), 0.11, 0.30))
            nwb = float(np.clip(r.beta(2.0, 7.0) + (0.2 if urban else 0.0), 0.04, 0.7))
            rural = 0.0 if urban else float(np.clip(r.uniform(0.0, 0.6), 0.0, 0.6))
            imd = float(np.clip(r.normal(5.5, 1.5), 2.5, 8.5))
            backlog = float(np.exp(r.normal(0.0, 0.35)))
            localities = int(r.integers(4, 6))
        share_18_64 = float(np.clip(0.81 - share_65 - 0.005, 0.45, 0.68))
        lsoas = max(10, round(population / 1_550))
        specs.append(CouncilSpec(
            index=i + 1, la_code=f"{int(codes[i]):03d}", name=name, slug=_slug(name),
            population=int(population), share_65=round(share_65, 4), share_18_64=round(share_18_64, 4),
            non_white_british=round(nwb, 4), rural_share=round(rural, 4), mean_imd_decile=round(imd, 2),
            backlog_factor=round(backlog, 4), localities=localities, postcode_area=areas[i],
            gp_prefix=f"{'ABCDEFGHJKLMNPQRSTUVWXY'[i % 23]}{80 + (i // 23) % 20:02d}",
            lsoa_base=lsoa_next % 1_000_000,
        ))
        lsoa_next += lsoas
    return specs
