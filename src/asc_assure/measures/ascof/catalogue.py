"""What each ASCOF measure id means, how its outcome is scaled and rounded, and DHSC's source file.

The SQL produces integer numerators and denominators; the outcome a council sees is computed once, here,
from those integers with exact decimal arithmetic and rounded half away from zero (SQL Server's ROUND,
which DHSC's published figures use; Python's ``round`` would round half to even).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DHSC_REPO = "DataS-DHSC/ASC-CLD-LA-Dashboard"
DHSC_COMMIT = "9bee728"


@dataclass(frozen=True)
class AscofMeasure:
    id: str
    title: str
    unit: str  # "%" or "per 100,000"
    multiplier: int
    places: int
    source: str
    higher_is_better: bool | None = True

    def outcome(self, numerator: int | None, denominator: int | None) -> float | None:
        """The published figure: multiplier x numerator / denominator, half away from zero; 0 when 0/0.

        DHSC outputs 0 (not blank) when a council has nothing to count; a missing denominator (no
        population file for 2B/2C) gives None, shown as not available.
        """
        if numerator is None or denominator is None:
            return None
        if denominator == 0:
            return 0.0
        value = Decimal(numerator) * self.multiplier / Decimal(denominator)
        return float(round_half_away(value, self.places))


def round_half_away(value: Decimal, places: int) -> Decimal:
    """Round half away from zero (2.25 -> 2.3, -2.25 -> -2.3), exactly."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


_SRC = "ASCOF_measures/"
MEASURES: dict[str, AscofMeasure] = {m.id: m for m in (
    AscofMeasure("2A", "Short-term support for new clients with no further request for ongoing support",
                 "%", 100, 1, _SRC + "Create_ASCOF_2A_2425_Onwards.sql"),
    AscofMeasure("2B", "Adults aged 18 to 64 whose long-term needs were met by admission to residential and "
                 "nursing care", "per 100,000", 100_000, 1, _SRC + "Create_ASCOF_2B2C_2425_Onwards.sql", False),
    AscofMeasure("2C", "Adults aged 65 and over whose long-term needs were met by admission to residential and "
                 "nursing care", "per 100,000", 100_000, 1, _SRC + "Create_ASCOF_2B2C_2425_Onwards.sql", False),
    AscofMeasure("2D1", "People aged 65 and over still at home 12 weeks after discharge from hospital into "
                 "reablement (outcome)", "%", 100, 2, _SRC + "Create_ASCOF_2D.sql"),
    AscofMeasure("2D2", "People aged 65 and over discharged from hospital who received reablement (provision)",
                 "%", 100, 2, _SRC + "Create_ASCOF_2D.sql"),
    AscofMeasure("2E", "People receiving long-term support who live in their home or with family",
                 "%", 100, 1, _SRC + "Create_ASCOF_2E_2425_Onwards.sql"),
    AscofMeasure("2E LD", "People aged 18 to 64 with a learning disability receiving long-term support who "
                 "live in their home or with family", "%", 100, 1, _SRC + "Create_ASCOF_2E_2425_Onwards.sql"),
    AscofMeasure("3D1a", "Clients receiving self-directed support", "%", 100, 1,
                 _SRC + "Create_ASCOF_3D_2425_Onwards.sql"),
    AscofMeasure("3D2a", "Clients receiving direct payments", "%", 100, 1, _SRC + "Create_ASCOF_3D_2425_Onwards.sql"),
    AscofMeasure("3D1b", "Carers receiving self-directed support", "%", 100, 1,
                 _SRC + "Create_ASCOF_3D_2425_Onwards.sql"),
    AscofMeasure("3D2b", "Carers receiving direct payments", "%", 100, 1, _SRC + "Create_ASCOF_3D_2425_Onwards.sql"),
)}

#: The order groups are listed in, per measure family.
GROUP_ORDER = ["18 to 64", "65 and above", "Total", "18 to 64: Male", "18 to 64: Female", "18 to 64: Total",
               "65 and above: Male", "65 and above: Female", "65 and above: Total", "65-74", "75-84", "85+",
               "Female", "Male"]
