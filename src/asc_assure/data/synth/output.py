"""Writing files: contract columns in contract order, display headers, dates in the chosen style."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..contracts import Contract

DATE_FORMATS = {"iso": "%Y-%m-%d", "uk": "%d/%m/%Y"}


def to_text(df: pl.DataFrame, contract: Contract, date_style: str = "iso") -> pl.DataFrame:
    """Every contract column as text (blank = null), in contract order."""
    fmt = DATE_FORMATS[date_style]
    exprs = []
    for col in contract.columns:
        dtype = df.schema[col.name]
        e = pl.col(col.name)
        if dtype == pl.Date:
            e = e.dt.strftime(fmt)
        elif dtype.is_float():
            e = e.round(2).cast(pl.Utf8)
        else:
            e = e.cast(pl.Utf8)
        exprs.append(e.alias(col.name))
    return df.select(exprs)


def write_csv(text: pl.DataFrame, contract: Contract, path: Path) -> int:
    """Write with the contract's display headers; returns the number of rows."""
    headers = {c.name: c.display_header for c in contract.columns}
    text.rename(headers).write_csv(path, include_header=True, line_terminator="\n", null_value="")
    return text.height
