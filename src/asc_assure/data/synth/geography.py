"""Places: districts, localities, LSOAs, postcodes, GP practices, providers and teams.

A council has five districts (one an urban centre unless the council is wholly rural), 4-5
localities (each district belongs to one; with four, the two smallest districts share one), LSOAs of
about 1,550 residents with a rural-urban class and an IMD decile, and an invented postcode area whose
outward codes are split between districts so a postcode always agrees with its district. LSOA codes
are "E01" + 6 digits like real 2021 LSOA codes, unique within a council and across a 153-council run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalogue import CouncilSpec
from .rng import stream

LOCALITY_NAMES = ("City", "North", "South", "East", "West")
SURGERY_WORDS = ("Riverside", "Church Street", "Market Place", "Orchard", "Meadow", "Bridge Street",
                 "Abbey", "Castle", "High Street", "Priory", "Mill Lane", "Station Road", "The Green",
                 "Westgate", "Elms", "Beeches", "Kingsway", "Parkside", "Woodlands", "Brookside")
SURGERY_KINDS = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice")
HOME_NOUNS = ("Oak", "Willow", "Heron", "Linden", "Rowan", "Kestrel", "Hazel", "Aspen", "Laurel",
              "Bramble", "Juniper", "Sorrel", "Poplar", "Wren", "Lark", "Cedar", "Holly", "Ash")
HOME_WORDS = ("House", "Lodge", "Court", "Manor", "Grange", "View", "Gardens", "Place")
AGENCY_WORDS = ("Home Care", "Care at Home", "Homecare Services", "Community Care", "Support Services")
FIRST_NAMES = ("Sam", "Priya", "Tom", "Aisha", "Ruth", "Daniel", "Grace", "Imran", "Helen", "Marcus",
               "Joanna", "Kwame", "Laura", "Owen", "Fatima", "Claire", "Ben", "Nadia", "Rachel", "Yusuf")
SURNAMES = ("Ashby", "Okafor", "Patel", "Turner", "Hughes", "Clarke", "Nowak", "Begum", "Reid", "Shaw",
            "Morgan", "Khan", "Lloyd", "Fraser", "Osei", "Webb", "Dixon", "Ahmed", "Price", "Carter")
# Team name -> team_type (contract values); locality teams are added per locality.
CENTRAL_TEAMS = (
    ("Safeguarding Team", "safeguarding"),
    ("DoLS Team", "dols"),
    ("Hospital Discharge Team", "hospital"),
    ("Learning Disability Team", "learning_disability"),
    ("Mental Health Team", "mental_health"),
    ("Reviewing Team", "reviewing"),
    ("Brokerage", "brokerage"),
)


@dataclass
class Geography:
    """Everything about where people live and who serves them, as parallel arrays."""

    districts: list[str]
    district_locality: np.ndarray  # district -> locality index
    localities: list[str]
    lsoa_code: np.ndarray  # str
    lsoa_name: np.ndarray
    lsoa_district: np.ndarray
    lsoa_rural: np.ndarray  # bool
    lsoa_imd: np.ndarray
    lsoa_population: np.ndarray
    lsoa_adults: np.ndarray
    lsoa_outward: np.ndarray  # str, e.g. "WY12"
    lsoa_sector: np.ndarray  # int 0..9
    gp_code: np.ndarray
    gp_name: np.ndarray
    gp_district: np.ndarray
    care_home_name: np.ndarray
    care_home_id: np.ndarray
    care_home_nursing: np.ndarray  # bool
    care_home_district: np.ndarray
    agency_name: np.ndarray
    agency_id: np.ndarray
    hospitals: list[str]
    reablement_provider: tuple[str, str]
    teams: list[str]
    team_type: list[str]
    team_locality: list[str | None]
    team_manager: list[str]

    @property
    def lsoa_locality(self) -> np.ndarray:
        return self.district_locality[self.lsoa_district]

    def team_index(self, name: str) -> int:
        return self.teams.index(name)

    def locality_team(self, locality: int) -> int:
        return self.teams.index(f"{self.localities[locality]} Locality Team")


def _cqc_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    nums = rng.choice(9_000_000_000, size=n, replace=False) + 100_000_000
    return np.array([f"1-{v}" for v in nums], dtype=object)


def build_geography(spec: CouncilSpec, seed: int) -> Geography:
    """Invent a council's places deterministically from its spec."""
    rng = stream(seed, spec.index, "geography")
    stem = spec.short_name
    districts = [f"{stem} City", f"North {stem}", f"South {stem}", f"Vale of {stem}", f"West {stem}"]
    has_city = spec.rural_share < 0.55
    if not has_city:
        districts[0] = f"Central {stem}"
    shares = rng.dirichlet(np.full(5, 8.0))
    if has_city:
        shares[0] = max(shares[0], 0.2)
        shares /= shares.sum()
    # localities: one per district, or four with the two smallest districts together
    if spec.localities >= 5:
        district_locality = np.arange(5)
        localities = list(LOCALITY_NAMES) if has_city else ["Central", *LOCALITY_NAMES[1:]]
    else:
        small = np.argsort(shares[1:])[:2] + 1
        keep = [d for d in range(5) if d != small[1]]
        district_locality = np.zeros(5, dtype=np.int64)
        for i, d in enumerate(keep):
            district_locality[d] = i
        district_locality[small[1]] = district_locality[small[0]]
        names = list(LOCALITY_NAMES) if has_city else ["Central", *LOCALITY_NAMES[1:]]
        localities = [names[d] for d in keep]

    n_lsoa = max(10, round(spec.population / 1_550))
    lsoa_district = np.sort(rng.choice(5, size=n_lsoa, p=shares))
    lsoa_district[:5] = np.arange(5)  # every district has an LSOA
    lsoa_district = np.sort(lsoa_district)
    # rurality: the city district is urban; the others carry the rural share
    rural_target = spec.rural_share / max(1e-9, 1 - (shares[0] if has_city else 0.0))
    lsoa_rural = rng.random(n_lsoa) < np.clip(rural_target, 0, 0.95)
    if has_city:
        lsoa_rural[lsoa_district == 0] = False
    imd_centre = spec.mean_imd_decile + np.where(lsoa_rural, 0.8, -0.4)
    spread = np.where(lsoa_district == 0, 2.8, 1.8)
    lsoa_imd = np.clip(np.rint(rng.normal(imd_centre, spread)), 1, 10).astype(np.int64)
    lsoa_pop = rng.gamma(40.0, 1.0, n_lsoa)
    lsoa_pop = np.maximum(400, np.rint(lsoa_pop / lsoa_pop.sum() * spec.population)).astype(np.int64)
    adult_share = np.clip(rng.normal(0.78, 0.03, n_lsoa) + np.where(lsoa_rural, 0.02, 0.0), 0.65, 0.9)
    lsoa_adults = np.rint(lsoa_pop * adult_share).astype(np.int64)
    codes = (spec.lsoa_base + np.arange(n_lsoa)) % 1_000_000
    lsoa_code = np.array([f"E01{c:06d}" for c in codes], dtype=object)
    names = []
    counter = dict.fromkeys(range(5), 0)
    for d in lsoa_district:
        k = counter[int(d)]
        counter[int(d)] += 1
        names.append(f"{districts[d]} {k // 4 + 1:03d}{'ABCD'[k % 4]}")
    lsoa_name = np.array(names, dtype=object)
    # postcode outward codes: district d owns numbers 6d+1 .. 6d+6
    outward_num = lsoa_district * 6 + 1 + rng.integers(0, 6, n_lsoa)
    lsoa_outward = np.array([f"{spec.postcode_area}{n}" for n in outward_num], dtype=object)
    lsoa_sector = rng.integers(1, 10, n_lsoa)

    n_gp = max(5, round(spec.population / 8_000))
    gp_district = rng.choice(5, size=n_gp, p=shares)
    gp_district[:5] = np.arange(5)
    gp_code = np.array([f"{spec.gp_prefix}{i + 1:03d}" for i in range(n_gp)], dtype=object)
    gp_name = np.array([
        f"{SURGERY_WORDS[rng.integers(len(SURGERY_WORDS))]} {SURGERY_KINDS[rng.integers(len(SURGERY_KINDS))]}"
        f", {districts[d].replace(f'{stem} City', stem)}" for d in gp_district], dtype=object)

    n_homes = max(4, round(spec.population / 5_300))
    n_agencies = max(4, round(spec.population / 4_500))
    ids = _cqc_ids(rng, n_homes + n_agencies + 1)
    home_nursing = rng.random(n_homes) < 0.35
    home_names = np.array([
        f"{HOME_NOUNS[rng.integers(len(HOME_NOUNS))]} {HOME_WORDS[rng.integers(len(HOME_WORDS))]}"
        f" {'Nursing Home' if nursing else 'Care Home'} ({i + 1})" for i, nursing in enumerate(home_nursing)],
        dtype=object)
    agency_names = np.array([
        f"{HOME_NOUNS[rng.integers(len(HOME_NOUNS))]} {AGENCY_WORDS[rng.integers(len(AGENCY_WORDS))]} Ltd"
        f" ({i + 1})" for i in range(n_agencies)], dtype=object)
    hospitals = [f"{stem} General Hospital", f"{districts[1]} Community Hospital",
                 f"{stem} Mental Health Hospital"]

    teams: list[str] = []
    team_type: list[str] = []
    team_locality: list[str | None] = []
    for loc in localities:
        teams.append(f"{loc} Locality Team")
        team_type.append("locality")
        team_locality.append(loc)
    for name, kind in CENTRAL_TEAMS:
        teams.append(name)
        team_type.append(kind)
        team_locality.append(None)
    managers = [f"{FIRST_NAMES[rng.integers(20)]} {SURNAMES[rng.integers(20)]}" for _ in teams]
    return Geography(
        districts=districts, district_locality=district_locality, localities=localities,
        lsoa_code=lsoa_code, lsoa_name=lsoa_name, lsoa_district=lsoa_district, lsoa_rural=lsoa_rural,
        lsoa_imd=lsoa_imd, lsoa_population=lsoa_pop, lsoa_adults=lsoa_adults, lsoa_outward=lsoa_outward,
        lsoa_sector=lsoa_sector, gp_code=gp_code, gp_name=gp_name, gp_district=gp_district,
        care_home_name=home_names, care_home_id=ids[:n_homes], care_home_nursing=home_nursing,
        care_home_district=rng.choice(5, size=n_homes, p=shares),
        agency_name=agency_names, agency_id=ids[n_homes:n_homes + n_agencies], hospitals=hospitals,
        reablement_provider=(f"{stem} Reablement Service", str(ids[-1])),
        teams=teams, team_type=team_type, team_locality=team_locality, team_manager=managers,
    )
