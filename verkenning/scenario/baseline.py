"""The nulmeting in Excel: a workbook a municipal controller fills in, and reading it back.

``write_template`` writes one workbook for one or more organisations of the embedded library, in
Dutch: a sheet that explains itself, then one sheet per topic (the organisation, costs, staff,
contracts, applications, assets), each with its headings, a row saying what every column means and
in which unit, an example row, data validation for the kinds and dates, and the organisation's
current figures prefilled and marked as such.

``read_workbook`` reads a filled workbook into the ``partners`` of a scenario (the figures and the
``baseline`` blocks), with every problem at once, located by sheet and cell like a scenario file's
(``nulmeting.xlsx: Kosten!D7: bedrag: must be a number ≥ 0, got 'veel' — give the annual cost in
euro``). ``write_scenario`` writes those partners as a scenario that extends another, and validates
it before anything is put in place. openpyxl does the Excel work; the sheets are ours.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, ScenarioError
from ..files import Unreadable, read_input, write_atomic

__all__ = ["OBTAINED_WORDS", "SHEETS", "read_workbook", "write_scenario", "write_template"]

EXAMPLE = "voorbeeld"
PREFILLED = "vooringevuld"
OBTAINED_WORDS = {"observed": "waargenomen", "estimated": "geschat", "modelled": "gemodelleerd"}
"""How a figure was obtained, in the Dutch of the workbook and the reports."""
OBTAINED_NL = {word: kind for kind, word in OBTAINED_WORDS.items()}
CATEGORIES_NL = {
    "personeel": "personnel",
    "software": "software",
    "infrastructuur": "infrastructure",
    "extern": "external",
}
YES_NO = {"ja": True, "nee": False}

# sheet → (column heading, what it means, key); the first column marks example and prefilled rows
SHEETS: dict[str, list[tuple[str, str, str]]] = {
    "Organisatie": [
        ("id", "de id van de organisatie (niet wijzigen)", "id"),
        ("inwoners", "aantal inwoners (CBS)", "inhabitants"),
        ("fte", "formatie in fte", "fte"),
        ("werkplekken", "aantal ICT-werkplekken (accounts)", "workstations"),
        ("applicaties", "aantal applicaties in beheer", "applications"),
        ("bron", "waar de cijfers vandaan komen (jaarverslag, begroting, jaar)", "source"),
    ],
    "Kosten": [
        ("id", "de id van de organisatie", "id"),
        ("jaar", "het jaar waarin gemeten is", "year"),
        (
            "soort",
            "een dienst (WP, HOST, ...), een kostensoort (personeel, software, infrastructuur, extern) of 'totaal'",
            "what",
        ),
        ("bedrag", "kosten per jaar in euro", "amount"),
        ("hoe verkregen", "waargenomen (uit de boeken), geschat of gemodelleerd", "obtained"),
        ("bron", "grootboek, factuur, schatting: waar het bedrag vandaan komt", "source"),
    ],
    "Personeel": [
        ("id", "de id van de organisatie", "id"),
        ("rol", "de rol (systeembeheerder, servicedesk, CISO, ...)", "role"),
        ("fte", "fte in die rol", "fte"),
        ("inhuur", "ja voor inhuur, nee voor eigen personeel", "hired"),
    ],
    "Contracten": [
        ("id", "de id van de organisatie", "id"),
        ("contract", "een korte naam voor het contract (letters, cijfers, _ of -)", "contract"),
        ("leverancier", "de leverancier", "supplier"),
        ("dekt", "wat het contract dekt", "covers"),
        ("kosten per jaar", "euro per jaar", "annual_cost_eur"),
        ("einddatum", "de datum waarop het contract afloopt", "end_date"),
        ("opzegtermijn", "opzegtermijn in maanden", "notice_months"),
    ],
    "Applicaties": [
        ("id", "de id van de organisatie", "id"),
        ("applicatie", "de naam van de applicatie", "name"),
    ],
    "Activa": [
        ("id", "de id van de organisatie", "id"),
        ("activum", "een korte naam (letters, cijfers, _ of -)", "asset"),
        ("omschrijving", "wat het is", "description"),
        ("boekwaarde", "resterende boekwaarde in euro", "book_value_eur"),
        ("afgeschreven in", "de datum waarop het volledig is afgeschreven", "depreciation_end"),
    ],
}
EXAMPLES = {
    "Kosten": ["borne", 2024, "WP", 310000, "waargenomen", "grootboek 2024, werkplekken en licenties"],
    "Personeel": ["borne", "systeembeheerder", 2.0, "nee"],
    "Contracten": [
        "borne",
        "hosting",
        "Leverancier B.V.",
        "hosting en back-up",
        95000,
        dt.date(2027, 12, 31),
        6,
    ],
    "Applicaties": ["borne", "Zaaksysteem"],
    "Activa": ["borne", "servers", "servers en opslag in eigen beheer", 80000, dt.date(2028, 12, 31)],
}
FIRST_ROW = 4
"""Row 1 headings, row 2 what each column means, row 3 the example; the data starts at row 4."""


def write_template(path: str | Path, partners: list[str]) -> Path:
    """Write the nulmeting workbook for organisations of the library (refuses to overwrite)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from . import load_organisations

    path = Path(path)
    library = load_organisations()
    unknown = [p for p in partners if p not in library]
    if unknown or not partners:
        raise ScenarioError(
            path,
            [
                Problem(
                    str(path),
                    0,
                    0,
                    "--partner",
                    f"unknown organisation {unknown[0]!r}" if unknown else "no organisation given",
                    f"use ids of the library: {', '.join(library)}",
                )
            ],
        )
    if path.exists():
        raise ScenarioError(
            path,
            [Problem(str(path), 0, 0, "", "the file exists already", "choose another name or remove it")],
        )
    book = Workbook()
    intro = book.active
    intro.title = "Toelichting"
    lines = [
        "Nulmeting: wat de organisatie nu uitgeeft aan de ICT-diensten binnen de samenwerking",
        "Vul per blad één regel per gegeven in, vanaf regel 4. Regel 2 zegt wat elke kolom betekent en in welke eenheid; regel 3 is een voorbeeld (wordt niet gelezen).",
        "Regels met 'vooringevuld' in kolom A komen uit de bibliotheek van verkenning: pas ze aan of laat ze staan.",
        "Bij elk bedrag: hoe verkregen (waargenomen uit de boeken, geschat of gemodelleerd) en de bron. Datums als datum (bijvoorbeeld 31-12-2027).",
        "Terug inlezen: verkenning baseline read BESTAND.xlsx --into studie.yaml --extends scenarios/borne.yaml",
    ]
    for row, line in enumerate(lines, start=1):
        intro.cell(row=row, column=1, value=line).font = Font(bold=row == 1)
    intro.column_dimensions["A"].width = 120
    grey = PatternFill("solid", fgColor="EEEEEE")
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.cell(row=1, column=1, value="markering").font = Font(bold=True)
        sheet.cell(row=2, column=1, value="voorbeeld / vooringevuld / leeg").font = Font(italic=True)
        for j, (heading, meaning, _) in enumerate(columns, start=2):
            sheet.cell(row=1, column=j, value=heading).font = Font(bold=True)
            sheet.cell(row=2, column=j, value=meaning).font = Font(italic=True)
            sheet.column_dimensions[sheet.cell(row=1, column=j).column_letter].width = max(
                14, min(40, len(meaning) // 2)
            )
        example = EXAMPLES.get(name)
        if example:
            sheet.cell(row=3, column=1, value=EXAMPLE)
            for j, value in enumerate(example, start=2):
                sheet.cell(row=3, column=j, value=value).fill = grey
        sheet.freeze_panes = "B4"
        keys = [key for _, _, key in columns]
        letter = {key: sheet.cell(row=1, column=j).column_letter for j, key in enumerate(keys, start=2)}
        if "obtained" in letter:
            rule = DataValidation(
                type="list", formula1='"waargenomen,geschat,gemodelleerd"', allow_blank=True
            )
            rule.add(f"{letter['obtained']}4:{letter['obtained']}500")
            sheet.add_data_validation(rule)
        if "hired" in letter:
            rule = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True)
            rule.add(f"{letter['hired']}4:{letter['hired']}500")
            sheet.add_data_validation(rule)
        for key in ("end_date", "depreciation_end"):
            if key in letter:
                rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
                rule.add(f"{letter[key]}4:{letter[key]}500")
                sheet.add_data_validation(rule)
        if name == "Organisatie":
            for i, partner_id in enumerate(partners):
                org = library[partner_id]
                values = [
                    PREFILLED,
                    org.id,
                    float(org.inhabitants),
                    float(org.fte),
                    float(org.workstations),
                    float(org.applications),
                    "bibliotheek van verkenning",
                ]
                for j, value in enumerate(values, start=1):
                    sheet.cell(row=FIRST_ROW + i, column=j, value=value)
    _write(path, book)
    return path


def _write(path: Path, book) -> None:
    if not path.parent.is_dir():
        raise ScenarioError(
            path,
            [Problem(str(path), 0, 0, "", f"no folder {path.parent}", "create it first, or fix the path")],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


MAX_WORKBOOK_BYTES = 50_000_000
"""A nulmeting of a few partners is kilobytes; anything near this is not one."""


def read_workbook(path: str | Path) -> list[dict[str, Any]]:
    """The partners of a filled nulmeting workbook, as a scenario file's ``partners`` would hold them.

    Raises a ScenarioError with every problem, located by sheet and cell.
    """
    from openpyxl import load_workbook

    from . import load_organisations

    path = Path(path)
    shown = path.name
    try:
        book = load_workbook(io.BytesIO(read_input(path, MAX_WORKBOOK_BYTES)), data_only=True)
    except (Unreadable, OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ScenarioError(
            path,
            [
                Problem(
                    shown,
                    0,
                    0,
                    "",
                    f"cannot read the workbook: {error}",
                    "give an .xlsx written by verkenning baseline template",
                )
            ],
        ) from None
    problems: list[Problem] = []
    partners: dict[str, dict[str, Any]] = {}

    def problem(sheet: str, cell: str, field: str, message: str, fix: str) -> None:
        problems.append(Problem(f"{shown}: {sheet}!{cell}", 0, 0, field, message, fix))

    def rows(name: str):
        if name not in book.sheetnames:
            problem(
                name, "A1", "", f"the sheet {name!r} is missing", "start from verkenning baseline template"
            )
            return
        sheet = book[name]
        headings = [heading for heading, _, _ in SHEETS[name]]
        found = [_text(c.value) for c in sheet[1][1 : len(headings) + 1]]
        if found != headings:
            problem(
                name,
                "B1",
                "",
                f"the headings are {found}, expected {headings}",
                "keep the template's headings",
            )
            return
        for row in sheet.iter_rows(min_row=FIRST_ROW):
            values = [c.value for c in row[: len(headings) + 1]]
            values += [None] * (len(headings) + 1 - len(values))
            if _text(values[0]).lower() == EXAMPLE or all(v in (None, "") for v in values[1:]):
                continue
            yield (
                row[0].row,
                dict(zip([key for _, _, key in SHEETS[name]], values[1:], strict=True)),
                {key: f"{chr(ord('B') + j)}{row[0].row}" for j, (_, _, key) in enumerate(SHEETS[name])},
            )

    def number(sheet: str, cell: str, field: str, value: Any, fix: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problem(sheet, cell, field, f"must be a number ≥ 0, got {value!r}", fix)
            return None
        return float(value)

    def date(sheet: str, cell: str, field: str, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        problem(sheet, cell, field, f"must be a date, got {value!r}", "enter a date, e.g. 31-12-2027")
        return None

    def partner(sheet: str, cell: str, value: Any) -> dict[str, Any] | None:
        pid = _text(value)
        if not pid:
            problem(
                sheet, cell, "id", "the organisation's id is missing", "copy it from the sheet Organisatie"
            )
            return None
        if pid not in partners:
            problem(
                sheet,
                cell,
                "id",
                f"unknown organisation {pid!r}",
                f"use one of the sheet Organisatie: {', '.join(partners) or '(none)'}",
            )
            return None
        return partners[pid]

    library = load_organisations()
    for _, row, cells in rows("Organisatie") or ():
        pid = _text(row["id"])
        if not pid:
            problem(
                "Organisatie", cells["id"], "id", "the organisation's id is missing", "keep the prefilled id"
            )
            continue
        entry: dict[str, Any] = {"id": pid}
        source = _text(row["source"]) or "nulmeting"
        for key in ("inhabitants", "fte", "workstations", "applications"):
            value = number("Organisatie", cells[key], key, row[key], "give a count")
            known = getattr(library[pid], key) if pid in library else None
            if value is None or (known is not None and value == float(known)):
                continue  # unchanged: the figure keeps the pedigree it has
            # the same pedigree key as the figure it replaces, so the merge replaces the text as well
            pedigree = "assumption" if known is not None and known.assumption else "source"
            entry[key] = {"value": value, pedigree: f"nulmeting: {source}"}
        partners[pid] = entry
    for _, row, cells in rows("Kosten") or ():
        entry = partner("Kosten", cells["id"], row["id"])
        year = row["year"]
        if not isinstance(year, int) or not 1900 <= year <= 2200:
            problem(
                "Kosten",
                cells["year"],
                "jaar",
                f"must be a year, got {year!r}",
                "give the year measured, e.g. 2024",
            )
        amount = number("Kosten", cells["amount"], "bedrag", row["amount"], "give the annual cost in euro")
        how = _text(row["obtained"]).lower()
        if how not in OBTAINED_NL:
            problem(
                "Kosten",
                cells["obtained"],
                "hoe verkregen",
                f"must be waargenomen, geschat or gemodelleerd, got {row['obtained']!r}",
                "choose from the list",
            )
        what = _text(row["what"])
        source = _text(row["source"])
        if not source:
            problem(
                "Kosten",
                cells["source"],
                "bron",
                "every amount needs its source",
                "say where it comes from: grootboek 2024, factuur, schatting",
            )
        if (
            entry is None
            or amount is None
            or how not in OBTAINED_NL
            or not source
            or not isinstance(year, int)
        ):
            continue
        baseline = entry.setdefault("baseline", {"year": year})
        figure = {
            "value": amount,
            ("source" if how != "geschat" else "assumption"): source,
            "obtained": OBTAINED_NL[how],
        }
        if what.lower() == "totaal":
            baseline["annual_cost_eur"] = figure
        elif what.lower() in CATEGORIES_NL:
            baseline.setdefault("categories", {})[CATEGORIES_NL[what.lower()]] = figure
        elif what:
            baseline.setdefault("services", {})[what.upper()] = figure
        else:
            problem(
                "Kosten",
                cells["what"],
                "soort",
                "what the amount is for is missing",
                "give a service id, a cost category or 'totaal'",
            )
    listed = {
        "Personeel": lambda row, cells: {
            "role": _text(row["role"]),
            "fte": number("Personeel", cells["fte"], "fte", row["fte"], "give the fte in the role"),
            "hired": YES_NO.get(_text(row["hired"]).lower()),
        },
        "Contracten": lambda row, cells: {
            "id": _text(row["contract"]),
            "supplier": _text(row["supplier"]),
            "covers": _text(row["covers"]),
            "annual_cost_eur": number(
                "Contracten",
                cells["annual_cost_eur"],
                "kosten per jaar",
                row["annual_cost_eur"],
                "give euro per year",
            ),
            "end_date": date("Contracten", cells["end_date"], "einddatum", row["end_date"]),
            "notice_months": number(
                "Contracten", cells["notice_months"], "opzegtermijn", row["notice_months"] or 0, "give months"
            ),
        },
        "Activa": lambda row, cells: {
            "id": _text(row["asset"]),
            "description": _text(row["description"]),
            "book_value_eur": number(
                "Activa", cells["book_value_eur"], "boekwaarde", row["book_value_eur"], "give euro"
            ),
            "depreciation_end": date(
                "Activa", cells["depreciation_end"], "afgeschreven in", row["depreciation_end"]
            ),
        },
    }
    section = {"Personeel": "staff", "Contracten": "contracts", "Activa": "assets"}
    for name, make in listed.items():
        for _, row, cells in rows(name) or ():
            entry = partner(name, cells["id"], row["id"])
            item = make(row, cells)
            if name == "Personeel" and item["hired"] is None:
                problem(
                    name,
                    cells["hired"],
                    "inhuur",
                    f"must be ja or nee, got {row['hired']!r}",
                    "choose from the list",
                )
            if entry is None or any(v is None for v in item.values()):
                continue
            entry.setdefault("baseline", {"year": dt.date.today().year - 1}).setdefault(
                section[name], []
            ).append(item)
    for _, row, cells in rows("Applicaties") or ():
        entry = partner("Applicaties", cells["id"], row["id"])
        if entry is not None and _text(row["name"]):
            entry.setdefault("baseline", {"year": dt.date.today().year - 1}).setdefault(
                "applications", []
            ).append(_text(row["name"]))
    if problems:
        raise ScenarioError(path, problems)
    return list(partners.values())


def write_scenario(workbook: str | Path, into: str | Path, extends: str | Path, force: bool = False) -> Path:
    """Read the workbook and write a scenario that extends ``extends`` with its partners; the file is
    validated before it is put in place, and nothing is written when anything is wrong."""
    from . import write_validated

    into, extends = Path(into), Path(extends)
    if into.exists() and not force:
        raise ScenarioError(
            into, [Problem(str(into), 0, 0, "", "the file exists already", "choose another name, or --force")]
        )
    partners = read_workbook(workbook)
    relative = os.path.relpath(extends.resolve(), into.resolve().parent)
    data = {"extends": relative, "partners": partners}
    text = f"# Nulmeting ingelezen uit {Path(workbook).name} (verkenning baseline read)\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True
    )
    write_validated(text, into)  # every problem of the result, before anything is in place
    return into
