"""Terms: the entry fee range and the entry terms, the key design, which candidates to admit, and the
staffing plan. Each lives in its own module; this package re-exports them."""

from __future__ import annotations

from .admission import Admission, admit
from .fees import EntryFee, EntryTerms, entry_fee_range, entry_fee_ranges, entry_terms
from .keys import Binding, KeyDesign, Mix, design_key
from .staffing import StaffingPlan, staffing_plan

__all__ = [
    "Admission",
    "Binding",
    "EntryFee",
    "EntryTerms",
    "KeyDesign",
    "Mix",
    "StaffingPlan",
    "admit",
    "design_key",
    "entry_fee_range",
    "entry_fee_ranges",
    "entry_terms",
    "staffing_plan",
]
