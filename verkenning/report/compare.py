"""Two or more scenarios side by side: what differs in their inputs, and what that does to each partner."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..files import spreadsheet_csv, write_atomic, write_json
from ..study import DEFAULT_SAMPLES
from .html import Markup, euro, table, text
from .labels import CONDITION_LABELS, VERDICT_LABELS, display
from .report import Report

__all__ = ["Comparison", "input_differences"]


def _flatten(value, prefix: str = "") -> dict[str, object]:
    if hasattr(value, "model_fields"):
        value = {name: getattr(value, name) for name in type(value).model_fields}
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, tuple | list) and value and all(hasattr(v, "id") for v in value):
        out = {}
        for item in value:
            out.update(_flatten(item, f"{prefix}[{item.id}]"))
        return out
    return {prefix: list(value) if isinstance(value, tuple) else value}


def input_differences(studies: list[Report]) -> list[tuple[str, list[object]]]:
    """Every input field whose value differs between the scenarios (absent shown as '–')."""
    flat = [_flatten(s.scenario) for s in studies]
    keys = sorted(set().union(*flat))
    rows = []
    for key in keys:
        values = [f.get(key, "–") for f in flat]
        shown = [float(v) if isinstance(v, float) else v for v in values]
        if any(v != shown[0] for v in shown[1:]):
            rows.append((key, shown))
    return rows


@dataclass(eq=False)
class Comparison:
    """Studies of several scenarios, compared."""

    paths: list[Path]
    seed: int = 0
    run_dir: Path | None = None
    samples: int = DEFAULT_SAMPLES
    studies: list[Report] = field(init=False)

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir) if self.run_dir else None
        self.studies = [Report.load(p, self.seed, self.run_dir, self.samples) for p in self.paths]

    @classmethod
    def load(
        cls, scenarios: list[str], seed: int = 0, run_dir: str | None = None, samples: int = DEFAULT_SAMPLES
    ) -> Comparison:
        return cls([Path(s) for s in scenarios], seed, Path(run_dir) if run_dir else None, samples)

    def header(self):
        items = "".join(
            f"<li>{text(s.scenario.name)}: {text(s.scenario.question)}</li>" for s in self.studies
        )
        return display(Markup(f"<h1>Vergelijking van scenario's</h1><ol>{items}</ol>"))

    def inputs(self):
        rows = [(key, *(str(v) for v in values)) for key, values in input_differences(self.studies)]
        names = [s.scenario.name for s in self.studies]
        return display(Markup(table(["Invoer", *names], rows, caption="Wat verschilt in de invoer")))

    def _columns(self) -> list[str]:
        """Each scenario's name with its reference year: figures of different years are never unlabelled."""
        return [f"{s.scenario.name} ({s.year})" for s in self.studies]

    def outcomes(self):
        names = self._columns()
        partners = list(dict.fromkeys(p for s in self.studies for p in s.costs.partners))
        labels = {p: n for s in self.studies for p, n in s.names.items()}
        rows = []
        for partner in partners:
            cells = []
            for s in self.studies:
                if partner in s.costs.partners:
                    i = s.costs.partners.index(partner)
                    cells.append(
                        f"{euro(s.column(s.costs.cost_eur['key'])[i])} / NCW {euro(s.costs.npv_eur['key'][s.costs.rates[0]][i])}"
                    )
                else:
                    cells.append("–")
            rows.append((labels[partner], *cells))
        return display(
            Markup(
                table(
                    ["Deelnemer", *names],
                    rows,
                    caption="Kosten in het peiljaar van elk scenario (tussen haakjes; bedragen in euro van "
                    "het basisjaar) en netto contante waarde van het voordeel per scenario",
                )
            )
        )

    def conclusion(self):
        """What the comparison says: which scenario serves the centre best, and where win-win holds."""
        first = self.studies[0]
        centre = first.scenario.centre
        who = first.names.get(centre, centre)
        npv = {
            s.scenario.name: float(s.costs.npv_eur["key"][s.costs.rates[0]][s.costs.partners.index(centre)])
            for s in self.studies
            if centre in s.costs.partners
        }
        best = max(npv, key=npv.get)
        both = [
            s.scenario.name
            for s in self.studies
            if all(s.card.verdict(c).verdict == "pass" for c in ("better_off", "key_stable"))
        ]
        better = [s.scenario.name for s in self.studies if s.card.verdict("better_off").verdict == "pass"]
        sentences = [
            f"Voor {who} is <strong>{text(best)}</strong> het gunstigst: een netto contante waarde van "
            f"{euro(npv[best])} (de andere: "
            + ", ".join(f"{text(n)} {euro(v)}" for n, v in npv.items() if n != best)
            + ")."
        ]
        if both:
            sentences.append(
                f"Win-win (iedereen beter af en een stabiele sleutel) geldt in: {text(', '.join(both))}."
            )
        elif better:
            sentences.append(
                f"In {text(', '.join(better))} is iedereen beter af, maar in geen enkel scenario is de "
                "verdeelsleutel stabiel: dat is een eigenschap van de sleutel, niet van een keuze tussen de "
                "scenario's."
            )
        else:
            sentences.append("In geen van de scenario's is iedereen beter af.")
        sentences.append(
            "Dit zijn modeluitkomsten bij de waarden van elk scenario; de kansen en banden staan in het rapport "
            "van elk scenario."
        )
        return display(Markup(f'<div class="kader"><p>{" ".join(sentences)}</p></div>'))

    def conditions(self):
        names = self._columns()
        rows = []
        for condition, label in CONDITION_LABELS.items():
            cells = []
            for s in self.studies:
                verdict = s.card.verdict(condition)
                cells.append(
                    Markup(f"<span class='{verdict.verdict}'>{text(VERDICT_LABELS[verdict.verdict])}</span>")
                )
            rows.append((label, *cells))
        return display(
            Markup(table(["Randvoorwaarde", *names], rows, caption="Randvoorwaarden per scenario"))
        )

    def results(self) -> dict:
        return {"studies": [s.results() for s in self.studies], "seed": self.seed}

    def save(self) -> None:
        if self.run_dir is None:
            return
        write_json(self.run_dir / "results.json", self.results())
        frames = []
        for s in self.studies:
            frame = s.study.tables()["samenvatting"]
            frame.insert(0, "scenario", s.scenario.name)
            frames.append(frame)
        write_atomic(
            self.run_dir / "tables" / "samenvatting.csv",
            spreadsheet_csv(pd.concat(frames)),
        )
