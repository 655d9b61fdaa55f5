"""One study's report: its sections as Dutch HTML, and its results written into the run folder.

The notebooks create one :class:`Report` and call its sections; every number on the page and in
``results.json`` comes from the one :class:`~verkenning.study.Study` it wraps, so the two cannot
disagree. ``save`` writes the machine-readable results into the run folder (each file written to a
temporary name and renamed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import aside
from ..files import spreadsheet_csv, write_atomic, write_json
from ..study import DEFAULT_SAMPLES, Study
from . import findings, sections
from .html import section_with_figures
from .labels import display
from .provenance import provenance
from .workbook import write_workbook

__all__ = ["Report"]


@dataclass(frozen=True, eq=False)
class Report:
    """The report of one study; ``run_dir`` is the run folder results are saved into (if any)."""

    study: Study
    run_dir: Path | None = None
    _aside: dict = field(default_factory=dict, init=False, repr=False)
    """The files being written in a child (:meth:`load`), until :meth:`save` has waited for them."""

    @classmethod
    def load(
        cls,
        scenario: str | Path,
        seed: int = 0,
        run_dir: str | Path | None = None,
        samples: int = DEFAULT_SAMPLES,
    ) -> Report:
        """The report of a scenario file; sweeps are kept beside the run folders of its scenario.
        ``samples`` draws of the uncertain inputs (the sweep, the key designer, the entry terms)."""
        folder = Path(run_dir) if run_dir else None
        study = Study.load(scenario, seed=seed, samples=samples, sweep_root=folder.parent if folder else None)
        # what the report computes from the samples in any case, a new sweep or the entry terms aside
        terms = ("key_design", "entry_terms", "growth_terms", "growth_orders")
        study.prepare(*(terms if study.scenario.entrants() else ()))
        report = cls(study, folder)
        if folder is not None and aside.available():  # the files are written beside the sections
            study.results()  # every fact the files hold, here: the sections read them too
            report._aside["save"] = aside.Deferred(report._write)
        return report

    # -- the study's facts, as the sections read them -------------------------------------------------

    def __getattr__(self, name: str):
        # scenario, costs, card, year, names, column, fees, admission, staffing, exploration,
        # growth_orders, growth_path, marginal_effects, seed: the study's own
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.study, name)

    # -- the sections the notebooks show --------------------------------------------------------------

    def _show(self, build):
        """A section as a notebook display, its figures drawn when it is done (``html``)."""
        return display(section_with_figures(build, self))

    def header(self):
        return self._show(sections.header)

    def summary(self):
        return self._show(sections.summary)

    def partners(self):
        return self._show(sections.partners)

    def costs_section(self):
        return self._show(sections.costs)

    def allocation(self):
        return self._show(sections.allocation)

    def fourk(self):
        return self._show(findings.fourk)

    def centre(self):
        return self._show(findings.centre)

    def terms_section(self):
        return self._show(findings.terms)

    def fees_section(self):
        return self._show(findings.fees)

    def risks(self):
        return self._show(findings.risks)

    def checklist_section(self):
        return self._show(findings.checklist)

    def growth(self):
        return self._show(findings.growth)

    def uncertainty(self):
        return self._show(findings.uncertainty)

    def assumptions(self):
        return self._show(sections.assumptions)

    def provenance(self):
        return self._show(sections.provenance_section)

    # -- results --------------------------------------------------------------------------------------

    def save(self) -> None:
        """Write results.json, tables/*.csv and results.xlsx into the run folder (if one is given).

        On Linux :meth:`load` has them written already, in a forked child (``verkenning.aside``)
        while the sections are drawn: this waits for it (and writes them here if it failed)."""
        if self.run_dir is None:
            return
        aside.result_or(self._aside.pop("save", None), self._write)

    def _write(self) -> None:
        write_json(self.run_dir / "results.json", self.study.results())
        for name, table in self.study.tables().items():
            write_atomic(self.run_dir / "tables" / f"{name}.csv", spreadsheet_csv(table))
        write_workbook(self.study, self.run_dir / "results.xlsx", self.run_id)

    @property
    def run_id(self) -> str | None:
        """The id of the run this report is saved into (its folder's name, while it is still built)."""
        if self.run_dir is None:
            return None
        name = self.run_dir.name
        return name[1 : -len(".partial")] if name.startswith(".") and name.endswith(".partial") else name

    def provenance_record(self) -> dict:
        return provenance(self.study.scenario, self.study.seed)
