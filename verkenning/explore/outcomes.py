"""What a sweep measures per sample, as typed keys: an outcome kind and, where it has one, its subject.

``Outcome("npv_eur", "borne")`` is Borne's NPV; ``Outcome("in_core", "shapley")`` whether the
Shapley value lies in the core; ``Outcome("win_win")`` has no subject. Code passes these keys
around; only the files of a saved sweep spell them as column names (:attr:`Outcome.column` and
:meth:`Outcome.from_column`, both here).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import VerkenningError

__all__ = ["KINDS", "Outcome"]

KINDS = {
    "win_win": "yes/no: the key is in the core and no partner is worse off",
    "entrant_gains": "yes/no: every entrant's NPV is positive (only when someone joins)",
    "incumbents_gain": "yes/no: no incumbent's NPV is negative (an untouched incumbent is not worse off)",
    "in_core": "yes/no, per key: no group of partners pays more than on its own",
    "cooperation_cost_eur": "the cooperation's cost in the reference year",
    "coverage_probability": "the chance that every key role of the pooled team is covered",
    "bus_factor_roles": "key roles of the pooled team below the minimum fte",
    "npv_eur": "per partner: the NPV of its saving against the status quo",
    "cost_eur": "per partner: what it pays in the reference year",
}
"""Every outcome kind, with what it means."""
SEPARATOR = ":"


@dataclass(frozen=True, order=True)
class Outcome:
    """One measured outcome: its kind and its subject (a partner id, a key, or nothing)."""

    kind: str
    subject: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise VerkenningError(f"unknown outcome {self.kind!r}; the outcomes are {', '.join(KINDS)}")

    @property
    def column(self) -> str:
        """The outcome's column name in a saved sweep's files."""
        return f"{self.kind}{SEPARATOR}{self.subject}" if self.subject else self.kind

    @classmethod
    def from_column(cls, column: str) -> Outcome:
        kind, _, subject = column.partition(SEPARATOR)
        return cls(kind, subject)
