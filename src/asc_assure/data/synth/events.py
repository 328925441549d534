"""CLD events as parallel integer arrays, collected from every stream before the quarterly files.

Codes index the Release 2 defined lists in ``code_lists.yaml`` (``-1`` = blank); the few CLD fields
whose lists were not published (route of access, review reason, methods, caring hours) index the
small tuples below. Keeping events as codes makes selecting a quarter's rows and repeating open
services cheap; labels are attached only when a file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .people import label_list

EVENT_TYPES = label_list("cld_event_type")
OUTCOMES = label_list("cld_event_outcome")
SERVICE_TYPES = label_list("cld_service_type")
COMPONENTS = label_list("cld_service_component")
DELIVERY = label_list("cld_delivery_mechanism")
ASSESSMENT_TYPES = label_list("cld_assessment_type")
COST_FREQUENCY = label_list("cld_cost_frequency")
CLIENT_TYPES = label_list("cld_client_type")
ROUTES = ("Community/other route", "Discharge from hospital", "Diversion from hospital services",
          "Planned entry (transition)", "Self-funder with depleted funds")
REVIEW_REASONS = ("Planned review", "Unplanned review", "Review of short term support")
METHODS = ("Face to face", "Telephone", "Video call", "Self-assessment", "Provider-led")
REVIEW_ACHIEVED = ("Fully achieved", "Partially achieved", "Not achieved", "Unknown")
CARING_HOURS = ("0 to 19 hours", "20 to 34 hours", "35 to 49 hours", "50 or more hours")
DESCRIPTIONS = ("Request for support", "Care Act assessment", "Home care", "Direct payment",
                "Care home placement", "Reablement", "Equipment", "Review", "Unpaid carer assessment",
                "Unpaid carer support", "Day opportunities", "Supported living", "Respite")
REF_PREFIX = ("REQ", "CON", "ASM", "SRV", "REV", "CAS", "CSV", "CRV")


def code(values: tuple[str, ...], label: str) -> int:
    return values.index(label)


@dataclass
class Events:
    """One row per event (services not yet repeated per quarter)."""

    person: np.ndarray
    client_type: np.ndarray
    event_type: np.ndarray
    start: np.ndarray
    end: np.ndarray
    outcome: np.ndarray
    ref_kind: np.ndarray
    ref_num: np.ndarray
    description: np.ndarray
    route: np.ndarray
    assessment_type: np.ndarray
    eligible: np.ndarray  # -1 blank, 0 No, 1 Yes
    method: np.ndarray
    caring_hours: np.ndarray
    n_adults: np.ndarray
    adult1: np.ndarray
    adult2: np.ndarray
    service_type: np.ndarray
    component: np.ndarray
    delivery: np.ndarray
    provider_kind: np.ndarray  # -1 none, 0 care home, 1 agency, 2 reablement service
    provider: np.ndarray
    review_reason: np.ndarray
    review_achieved: np.ndarray
    unit_cost: np.ndarray  # float, nan blank
    cost_frequency: np.ndarray
    units: np.ndarray  # float, nan blank

    @classmethod
    def make(cls, person: np.ndarray, event_type: str, start: np.ndarray, end: np.ndarray, *,
             ref_kind: int, ref_num: np.ndarray, **given: np.ndarray | int | float) -> Events:
        """Events of one type; unspecified fields are blank."""
        n = len(person)
        cols: dict[str, np.ndarray] = {}
        for f in fields(cls):
            name = f.name
            if name in ("unit_cost", "units"):
                default: np.ndarray = np.full(n, np.nan)
            else:
                default = np.full(n, -1, dtype=np.int64)
            value = given.get(name)
            if value is None:
                cols[name] = default
            elif np.isscalar(value):
                cols[name] = np.full(n, value, dtype=default.dtype)
            else:
                cols[name] = np.asarray(value, dtype=default.dtype)
        cols["person"] = np.asarray(person, dtype=np.int64)
        cols["event_type"] = np.full(n, code(EVENT_TYPES, event_type), dtype=np.int64)
        cols["start"] = np.asarray(start, dtype=np.int64)
        cols["end"] = np.asarray(end, dtype=np.int64)
        cols["ref_kind"] = np.full(n, ref_kind, dtype=np.int64)
        cols["ref_num"] = np.asarray(ref_num, dtype=np.int64)
        if given.get("client_type") is None:
            cols["client_type"] = np.zeros(n, dtype=np.int64)
        return cls(**cols)

    @classmethod
    def concat(cls, parts: list[Events]) -> Events:
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    def take(self, idx: np.ndarray) -> Events:
        return Events(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def __len__(self) -> int:
        return len(self.person)
