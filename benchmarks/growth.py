"""Growth paths of 12, 16 and 20 organisations for `make bench` (issue 19).

The path extends `scenarios/groeipad.yaml` (today's four, Borne, Hof van Twente and Noaberkracht)
with the library's other Twente organisations in order of size, then with made-up municipalities of
20,000-40,000 inhabitants once the library runs out: the size a growing cooperation reaches, not a
plan. Entrants join two a year from 2027, so the last is in well before the horizon ends.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ["losser", "twenterand", "wierden", "rijssen_holten", "hellendoorn", "almelo", "enschede"]
ALREADY = 7  # groeipad.yaml: hengelo, oldenzaal, haaksbergen, swb, borne, hof_van_twente, noaberkracht


def growth_path(organisations: int, folder: Path) -> Path:
    """Write a scenario of `organisations` partners (at least 7) in `folder` and return its path."""
    from verkenning.scenario import load_organisations

    library = load_organisations()
    lines = [
        f"extends: {ROOT / 'scenarios' / 'groeipad.yaml'}",
        f"name: Groeipad van {organisations} organisaties",
        "partners:",
    ]
    for i in range(organisations - ALREADY):
        joins = 2027 + i // 2
        if i < len(LIBRARY):
            o = library[LIBRARY[i]]
            figures = (o.name, int(o.inhabitants.value), o.fte.value, o.workstations.value)
            applications = o.applications.value
            ident = o.id
        else:
            inhabitants = 20_000 + 2_500 * (i - len(LIBRARY))
            fte = round(inhabitants * 7 / 1000)
            ident = f"gemeente_{i - len(LIBRARY) + 1}"
            figures = (f"Gemeente {i - len(LIBRARY) + 1}", inhabitants, fte, round(1.2 * fte, -1))
            applications = round(0.3 * figures[3])
        name, inhabitants, fte, workstations = figures
        lines += [
            f"  - id: {ident}",
            f"    name: {name}",
            "    kind: municipality",
            f"    inhabitants: {inhabitants}",
            f"    fte: {fte}",
            f"    workstations: {workstations}",
            f"    applications: {applications}",
            "    services: [basis]",
            f"    joins: {joins}",
        ]
    path = folder / f"groei{organisations}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
