"""Writing result files: never half a file, never another writer's file, never a live formula.

Every file goes to a temporary name of its own in the same folder and is renamed into place, so a
reader sees the old file or the new one, and two processes writing the same file at once each
finish (the last rename wins) without touching the other's temporary file.

Text that came from a scenario (names, sources, assumptions) may start like a spreadsheet formula
(``=HYPERLINK(...)``). In the workbooks every such cell is stored as text, never as a formula; in
the CSV tables meant for spreadsheets a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading apostrophe, the usual neutralisation (OWASP, CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

__all__ = ["FORMULA_STARTS", "spreadsheet_csv", "workbook_bytes", "write_atomic", "write_json"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet recognises a formula (or a command) at the start of a cell."""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file of its own in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # ours alone: only there when the rename did not happen


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as stable, readable JSON (sorted keys, UTF-8), atomically."""
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_csv(frame) -> str:
    """A table as CSV for spreadsheets: text cells that would start a formula are neutralised."""
    from pandas.api.types import is_numeric_dtype

    safe = frame.copy()
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(_neutral)
    safe.columns = [_neutral(str(c)) for c in safe.columns]
    # text quoted, so a carriage return inside a cell cannot end the row
    return safe.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)


def workbook_bytes(sheets: dict) -> bytes:
    """An Excel workbook of the tables (sheet name → DataFrame) in which no cell is a formula."""
    import pandas as pd
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # text that looks like a formula: keep it as text
                    cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
