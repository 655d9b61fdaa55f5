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
import errno
import io
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import VerkenningError

__all__ = [
    "FORMULA_STARTS",
    "Sheet",
    "Unreadable",
    "check_input",
    "output_file",
    "output_folder",
    "read_input",
    "spreadsheet_csv",
    "workbook_bytes",
    "write_atomic",
    "write_json",
]


class Unreadable(Exception):
    """An input file that cannot be read as one: ``reason`` says what it is, ``fix`` what to do."""

    def __init__(self, reason: str, fix: str):
        self.reason, self.fix = reason, fix
        super().__init__(f"{reason} — {fix}")


KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def check_input(path: Path) -> os.stat_result:
    """Refuse, without opening it, what is not a regular file: a folder, a pipe, a device, a loop."""
    try:
        info = os.stat(path)  # follows links, so a loop is found here
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Unreadable("a loop of symbolic links", "point the link at a real file") from None
        if error.errno == errno.ENOENT:
            raise Unreadable("file not found", "check the path") from None
        raise Unreadable(f"cannot read file: {error.strerror or error}", "check the path") from None
    if not stat.S_ISREG(info.st_mode):
        kind = KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
        raise Unreadable(f"not a regular file ({kind})", "give the path of a file")
    return info


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of an input file, refusing before opening what is not a regular file.

    A folder, a pipe, a device (``/dev/zero``) or a socket is refused by its kind, a symbolic link
    loop as a loop, and no read goes beyond ``limit`` bytes (a file that grows while it is read is
    refused too): reading an input can neither hang nor fill the memory.
    """
    info = check_input(path)
    too_large = Unreadable(
        f"file is over {limit:,} bytes, too large", "split it, or check that this is the right file"
    )
    if info.st_size > limit:
        raise too_large
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise Unreadable(f"cannot read file: {error.strerror or error}", "check the path") from None
    if len(data) > limit:
        raise too_large
    return data


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The reproducible-builds convention: when set, the time written into workbooks (else 2000-01-01)."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet recognises a formula (or a command) at the start of a cell."""


def output_folder(path: str | Path, option: str) -> Path:
    """A folder to write into, made if only it is missing; checked before anything is computed.

    A file in its place, a missing folder above it (a typo, not created silently) or a folder
    without write access is bad input naming the path and the option.
    """
    path = Path(path).resolve()
    if path.exists() and not path.is_dir():
        raise VerkenningError(f"{path}: {option} is a file, not a folder — give a folder")
    if not path.exists():
        if not path.parent.is_dir():
            raise VerkenningError(
                f"{path}: {option}: the folder {path.parent} does not exist — create it first or check "
                "the path"
            )
        try:
            path.mkdir()
        except FileExistsError:  # made by a run started at the same moment
            pass
        except OSError as error:
            raise VerkenningError(
                f"{path}: {option}: cannot create it ({error.strerror}) — give a folder you can write to"
            ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise VerkenningError(f"{path}: {option}: not writable — give a folder you can write to")
    return path


def output_file(path: str | Path, option: str, overwrite: bool = True) -> Path:
    """A file to write, checked before anything is computed: it is not a folder, (unless
    ``overwrite``) it does not exist yet, and its folder exists and is writable. A missing folder is
    not made: it is more often a typo than a wish."""
    path = Path(path)
    folder = path.resolve().parent
    if path.is_dir():
        raise VerkenningError(f"{path}: {option} is a folder — give the name of a file in it")
    if path.exists() and not overwrite:
        raise VerkenningError(f"{path}: the file exists already — choose another name, or --force")
    if not folder.is_dir():
        raise VerkenningError(f"{path}: {option}: no folder {folder} — create it first or check the path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise VerkenningError(f"{path}: {option}: the folder {folder} is not writable")
    return path


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


@dataclass(frozen=True)
class Sheet:
    """A table as a controller reads it: headings in row 1, frozen, filtered, formatted and sized.

    ``formats`` gives a column's Excel number format; ``row_format`` names a column of the frame
    holding each row's format (for a long table whose rows mix euros and percentages), which is not
    itself written. ``total`` labels a last row of subtotals of the euro columns (those formatted
    with €), under the first column.
    """

    frame: object
    formats: dict[str, str] = field(default_factory=dict)
    row_format: str | None = None
    total: str | None = None


MAX_WIDTH = 60
"""Widest a column is made (in characters); longer text wraps in the cell."""


def workbook_bytes(sheets: dict) -> bytes:
    """An Excel workbook of the tables (sheet name → DataFrame or :class:`Sheet`); no cell a formula."""
    import math
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, content in sheets.items():
        sheet = content if isinstance(content, Sheet) else Sheet(content)
        frame = sheet.frame
        columns = [c for c in frame.columns if c != sheet.row_format]
        ws = workbook.create_sheet(name)
        ws.append([str(c) for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row_formats = list(frame[sheet.row_format]) if sheet.row_format else [None] * len(frame)
        widths = [len(str(c)) for c in columns]
        # cells are found by their row number, counted here: openpyxl's ws[ws.max_row] scans every cell
        # of the sheet, which made a long sheet quadratic
        for r, (values, row_format) in enumerate(
            zip(frame[columns].itertuples(index=False), row_formats, strict=True), start=2
        ):
            row = []
            for value in values:
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    row.append(None)
                elif hasattr(value, "item"):  # numpy scalars
                    row.append(value.item())
                elif value is not None and type(value).__name__ == "NAType":
                    row.append(None)
                else:
                    row.append(value)
            ws.append(row)
            for j, column in enumerate(columns):
                cell = ws.cell(r, j + 1)
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text that looks like a formula stays text
                    widths[j] = max(widths[j], min(len(cell.value), MAX_WIDTH))
                    if len(cell.value) > MAX_WIDTH:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    number = sheet.formats.get(column) or row_format
                    if number:
                        cell.number_format = number
                    widths[j] = max(widths[j], len(f"{cell.value:,.2f}") + 3)
        if sheet.total and len(frame):
            last = len(frame) + 1
            total = [sheet.total if j == 0 else None for j in range(len(columns))]
            ws.append(total)
            for j, column in enumerate(columns):
                cell = ws.cell(last + 1, j + 1)
                cell.font = Font(bold=True)
                number = sheet.formats.get(column, "")
                if j and "€" in number:
                    cell.value = round(sum(ws.cell(r, j + 1).value or 0 for r in range(2, last + 1)), 2)
                    cell.number_format = number
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(width, MAX_WIDTH) + 2
        ws.freeze_panes = "A2"
        if len(frame):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    when = _timestamp()
    workbook.properties.created = workbook.properties.modified = when
    out = io.BytesIO()
    # openpyxl's save() stamps 'modified' with the clock; its writer keeps what we set
    ExcelWriter(workbook, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return _zip_at(out.getvalue(), when)


def _timestamp():
    """The time a workbook records: ``SOURCE_DATE_EPOCH`` when set (a run sets it to its start)."""
    from datetime import UTC, datetime

    epoch = os.environ.get(SOURCE_DATE_EPOCH, "")
    seconds = int(epoch) if epoch.isdigit() else 946_684_800  # 2000-01-01, a fixed point
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _zip_at(data: bytes, when) -> bytes:
    """The same zip archive with every member dated ``when`` (openpyxl dates them 'now')."""
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
