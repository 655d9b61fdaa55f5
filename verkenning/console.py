"""The command line's words: plain English text made from a study's facts (the reports speak Dutch).

One function per thing a command prints. Each takes typed facts (a cost result, a scorecard, a
verdict, an exploration) and returns text; none computes anything the study does not already hold.
The cost model, pandas and networkx are imported by the functions that need them, so that
``verkenning check`` starts without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .costs import CostResult
    from .fourk import Scorecard, Verdict
    from .scenario import Scenario

__all__ = [
    "cost_summary",
    "describe",
    "exploration_summary",
    "one_line",
    "scorecard_text",
    "terms_text",
    "verdict_line",
]

SYMBOL = {"pass": "PASS", "fail": "FAIL", "undetermined": "n/a ", "model_choice": "MODL"}
"""model_choice (MODL): a condition the model holds by how it is built, not a test on the data."""


def one_line(scenario: Scenario) -> str:
    """``name: N partners (k joining), M services, base–end``."""
    entrants = len(scenario.entrants())
    joining = f" ({entrants} joining)" if entrants else ""
    return (
        f"{scenario.name}: {len(scenario.partners)} partners{joining}, "
        f"{len(scenario.services)} services, {scenario.base_year}–{scenario.end_year}"
    )


def describe(scenario: Scenario) -> str:
    """Partners with volumes and what they take, and the services most others depend on."""
    from .graph import weak_points

    lines = [f"  question: {scenario.question}", f"  centre:   {scenario.centre}", "", "  partners:"]
    lines.append(f"    {'id':<16}{'inhabitants':>12}{'fte':>8}{'workst.':>9}{'apps':>6}  member    services")
    for p in scenario.partners:
        member = "always" if p.joins is None and p.leaves is None else f"{p.joins or ''}–{p.leaves or ''}"
        taken = scenario.taken_by(p)
        lines.append(
            f"    {p.id:<16}{p.inhabitants:>12,.0f}{p.fte:>8,.0f}{p.workstations:>9,.0f}"
            f"{p.applications:>6,.0f}  {member:<9} {len(taken):>2}: {' '.join(taken)}"
        )
    lines += ["", "  weak points (services others depend on):"]
    for w in weak_points(scenario)[:5]:
        flag = ", articulation point" if w.articulation_point else ""
        lines.append(f"    {w.service:<6} {w.dependent_services:>2} services, {w.partners} partners{flag}")
    return "\n".join(lines)


def cost_summary(result: CostResult) -> str:
    """Per partner: stand-alone, status quo and new annual cost, NPV per rate, break-even."""
    import pandas as pd

    from .costs.tables import summary_table

    table = summary_table(result)
    year = result.reference_year
    rates = [f"NPV@{rate:.2%}" for rate in result.rates]
    header = f"{'partner':<16}{'alone':>14}{'status quo':>14}{'new':>14}" + "".join(f"{r:>16}" for r in rates)
    header += f"{'NPV no avoided growth':>24}{'break-even':>12}"
    lines = [
        f"{result.scenario.name}: annual cost in {year} (euro, {result.years[0]} prices) and NPV of the"
        f" saving over {result.years[0]}–{result.years[-1]} under the scenario's key,"
        f" against: {result.scenario.status_quo[0]} (others on their own)",
        header,
        "-" * len(header),
    ]
    for _, row in table.iterrows():
        npv = "".join(f"{row[f'npv_{rate:g}_eur']:>16,.0f}" for rate in result.rates)
        be = "—" if pd.isna(row["break_even_year"]) else str(row["break_even_year"])
        lines.append(
            f"{row['partner']:<16}{row['standalone_eur']:>14,.0f}{row['status_quo_eur']:>14,.0f}"
            f"{row['new_eur']:>14,.0f}{npv}{row['npv_without_avoided_growth_eur']:>24,.0f}{be:>12}"
        )
    k = result.years.index(year)
    lines += [
        "-" * len(header),
        f"cooperation in {year}: {result.cooperation_cost_eur[k]:,.2f} "
        f"(status quo {result.status_quo_cooperation_cost_eur[k]:,.2f}); every key's shares add up to it",
    ]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _number(value: float, unit: str) -> str:
    if unit in ("kans", "aandeel"):
        return f"{value:.1%}"
    if unit == "ja/nee":
        return "yes" if value else "no"
    if unit.startswith("eur"):
        return f"{value:,.0f}"
    return f"{value:g}"


def _members(ids) -> str:
    return ", ".join(ids)


def verdict_line(verdict: Verdict) -> str:
    """A verdict's evidence in one English line."""
    c, year = verdict.condition, verdict.year
    if c == "better_off":
        problems = []
        if verdict.incumbents_worse:
            problems.append(f"pay more than now: {_members(verdict.incumbents_worse)}")
        if verdict.entrants_worse:
            problems.append(f"pay more than alone: {_members(verdict.entrants_worse)}")
        return f"{year}: " + ("; ".join(problems) if problems else "nobody worse off")
    if c == "key_stable":
        problems = [
            f"{'+'.join(group.members)} would save {group.amount_eur:,.0f} a year alone"
            for group in verdict.core_violations[:3]
        ]
        if not problems:
            return f"{year}: the shares are in the core"
        before = (
            "; so before the change too" if verdict.status_quo_violations else "; stable before the change"
        )
        fix = (
            "; the core is empty"
            if verdict.core_empty
            else "; nearest stable shares: "
            + ", ".join(f"{p} {x:+,.0f}" for p, x in verdict.adjustment if abs(x) >= 0.5)
        )
        return f"{year}: " + "; ".join(problems) + before + fix
    if c == "no_profit":
        if verdict.max_gap_eur > 0:
            return f"shares differ from the cost by up to {verdict.max_gap_eur:,.2f}"
        if verdict.profits:
            return "charged above the integral cost price: " + ", ".join(
                f"{p} {x:,.0f} in {y}" for p, y, x in verdict.profits[:3]
            )
        carried = f"; the centre carries {verdict.subsidy_eur:,.0f} itself" if verdict.subsidy_eur > 0 else ""
        return f"nobody pays above the integral cost price ({verdict.pricing} pricing){carried}"
    if c == "transparency":
        if verdict.verdict == "undetermined":
            return f"'{verdict.method}' is a game rule, not a key traced per service"
        return f"{verdict.lines} trace lines" + (
            f", {len(verdict.unmatched)} shares not traced" if verdict.unmatched else ", every share traced"
        )
    if c == "platform_leads":
        if verdict.verdict == "undetermined":
            return "nobody joins; no migration"
        if verdict.missing:
            return f"no migration cost for {_members(verdict.missing)}"
        return "migration costed: " + ", ".join(f"{p} {a:,.0f}" for p, a in verdict.transition_eur)
    if c == "risks_shared":
        if verdict.verdict == "undetermined":
            return f"no cost in {year}, no reserve to share"
        none = (
            f"; carried by none of {_members(verdict.carrying_none)}"
            if verdict.carrying_none
            else "; every member carries part"
        )
        return f"risk reserve {verdict.reserve_eur:,.0f}{none}"
    if c == "value_for_residents":
        if verdict.verdict == "undetermined":
            return "no municipalities with inhabitants"
        return f"cost per inhabitant {verdict.before_eur:,.2f} → {verdict.after_eur:,.2f}"
    if c in ("no_extra_risk", "centre_ambitions", "governance"):
        return f"not decidable by the model; decided by {verdict.decided_by}"
    raise ValueError(f"no wording for the condition {c!r}")


def scorecard_text(card: Scorecard, extra: list[str] | None = None) -> str:
    """Indicators per partner (before → after), then the verdicts with their evidence."""
    from .fourk import FOURK

    lines = [f"4K scorecard ({card.year}, method: {card.method}); before = status quo, after = scenario", ""]
    partners = list(dict.fromkeys(i.partner for i in card.indicators))
    for partner in partners:
        lines.append(partner)
        for k in FOURK:
            for row in (i for i in card.indicators if i.partner == partner and i.k == k):
                before, after = _number(row.before, row.unit), _number(row.after, row.unit)
                lines.append(f"  {k:<14}{row.name:<28}{before:>16} → {after}")
        if card.composite and partner in card.composite:
            before, after = card.composite[partner]
            lines.append(f"  {'composite':<14}{'(scenario weights)':<28}{before:>16.3f} → {after:<16.3f}")
        lines.append("")
    lines.append("conditions")
    for verdict in card.verdicts:
        lines.append(f"  [{SYMBOL[verdict.verdict]}] {verdict.condition:<20} {verdict_line(verdict)}")
    if card.weak_points:
        top = ", ".join(f"{w.service} ({w.dependent_services} services)" for w in card.weak_points[:3])
        lines.append(f"\nweak points of the service graph: {top}")
    return "\n".join([*lines, *(extra or [])])


def terms_text(study, coverage: float = 0.95, budget_eur: float | None = None) -> list[str]:
    """The optimal terms of a study: fee ranges of the entrants, admission and staffing."""
    lines = ["", "terms of entry"]
    for fee in study.fees:
        over = "least core" if fee.core_empty else "core"
        lines.append(
            f"  {fee.entrant}: fee range {fee.low_eur:,.0f} – {fee.high_eur:,.0f} per year "
            f"(over the {over}); "
            f"adds {fee.marginal_cost_eur:,.0f}, alone {fee.standalone_eur:,.0f}, "
            f"key charges {fee.key_share_eur:,.0f}"
        )
    if study.admission is not None:
        choice = study.admission
        lines.append(
            f"  admit: {', '.join(choice.chosen) or 'nobody'} of {', '.join(choice.candidates)}: "
            f"total saving "
            f"{choice.saving_eur:,.0f} (without: {choice.saving_without_eur:,.0f}), no incumbent pays more "
            f"({choice.feasible} of {choice.subsets} subsets qualify)"
        )
    plan = study.staffing_for(coverage, budget_eur)
    people = ", ".join(f"{role} {n}" for role, n in plan.people.items())
    if not plan.within_budget:
        lines.append(
            f"  staffing: infeasible within the budget of {plan.budget_eur:,.0f}: even the smallest team "
            f"that carries the workload ({people}) costs {plan.cost_eur:,.0f} per year, "
            f"for {plan.coverage_probability:.1%} coverage"
        )
        return lines
    lines.append(
        f"  staffing for {plan.coverage_probability:.1%} coverage (target {plan.target:.0%}): {people}; "
        f"{plan.cost_eur:,.0f} per year"
        + (" (the target is out of reach within the budget)" if not plan.target_met else "")
    )
    return lines


DRIVER_WORDS = {
    "workstations": "workstations",
    "inhabitants": "inhabitants",
    "fte": "fte",
    "applications": "applications",
    "equal": "equal per organisation",
    "own": "each service by its own driver",
}


def mix_text(mix) -> str:
    """One group's key in words: ``basis: 55% workstations, 45% fte``."""
    parts = ", ".join(f"{w}% {DRIVER_WORDS.get(d, d)}" for d, w in mix.weights)
    return (
        f"{mix.group}: {parts}" + (" (kept)" if mix.kept else "") + ("" if mix.exact else " (approximately)")
    )


def key_design_text(study) -> str:
    """What ``verkenning terms`` prints: the proposed key beside today's, its P(win-win) and effects."""
    design = study.key_design
    proposed, today = study.key_probabilities
    how = "every key of the family" if design.method == "enumeration" else "a search group by group"
    lines = [
        f"{study.scenario.name}: key for {design.year} ({how}, {design.samples:,} samples)",
        "  proposed: " + "; ".join(mix_text(m) for m in design.proposed),
        "  today:    " + "; ".join(mix_text(m) for m in design.today),
        f"  P(win-win): proposed {proposed.probability:.1%} ± {proposed.margin:.1%}, "
        f"today {today.probability:.1%} ± {today.margin:.1%}",
        "  at the scenario's values: win-win "
        + ("holds" if design.central[0] else "fails")
        + " with the proposed key, "
        + ("holds" if design.central[1] else "fails")
        + " with today's",
        f"  largest expected regret against the Shapley share: {design.regret_eur:,.0f} per year",
        "  change in contribution: " + ", ".join(f"{p} {v:+,.0f}" for p, v in design.change_eur.items()),
    ]
    if abs(proposed.probability - today.probability) <= max(proposed.margin, today.margin):
        lines.append("  the difference with today's key is within the sampling margin")
    if not design.found:
        lines.append("  no key of the family holds the win-win in any sample: this is the best it can do")
    for b in design.binding:
        what = "would be cheaper on its own" if b.kind == "core" else "pays more than in the status quo"
        lines.append(
            f"  binds: {', '.join(b.members)} {what} in {b.failure_share:.0%} of the samples "
            f"(median slack {b.slack_eur:,.0f})"
        )
    if study.entry_terms:
        lines += [
            "",
            "entry terms (contribution a year; the rest shared by the key)",
            *entry_terms_text(study),
        ]
    return "\n".join(lines)


def entry_terms_text(study) -> list[str]:
    """The negotiation room of each entrant: the contributions that keep everyone better off."""
    lines = []
    for t in study.entry_terms:
        head = f"  {t.entrant} in {t.year}: "
        if t.low_eur is None:
            lines.append(
                head
                + f"no annual contribution keeps every partner better off in {t.target:.0%} of the samples; "
                f"the best, {t.best_eur:,.0f}, does in {t.best_probability:.1%}"
            )
        else:
            lines.append(
                head
                + f"every partner is better off in at least {t.target:.0%} of the samples with an annual "
                f"contribution of {t.low_eur:,.0f} – {t.high_eur:,.0f}"
            )
        lines.append(
            f"    adds {t.floor_eur:,.0f} to the cost (the floor), alone {t.standalone_eur:,.0f}, "
            f"the key charges {t.key_share_eur:,.0f} (P {float(t.probability(t.key_share_eur)):.1%})"
        )
        chosen = study.scenario.terms.principle
        for principle, y in t.points.items():
            mark = " (the scenario's principle)" if principle == chosen else ""
            gains = ", ".join(f"{p} {g:+,.0f}" for p, g in t.central_gains(y).items())
            lines.append(
                f"    {principle}: {y:,.0f} (P {float(t.probability(y)):.1%}){mark}; gains a year: {gains}"
            )
    return lines


MIN_USEFUL_SAMPLES = 1000
"""Below this a sweep's probabilities are too rough to suggest as the way out."""


def workload_text(path, work, refused: bool) -> str:
    """What a sweep will take; when ``refused``, why it needs ``--force`` and how to stay within budget."""
    from .explore.sweep import FILE_BUDGET, MEMORY_BUDGET, WORK_BUDGET

    size = f"{work.samples:,} samples of {work.coalitions:,} coalitions × {work.services} services"
    if not refused:
        roughly = _duration(work.seconds)
        return f"explore: {size}: about {work.cells:.1e} evaluations, roughly {roughly} on one process"
    words = {
        "work": f"{work.cells:.1e} coalition evaluations (about {_duration(work.seconds)} on one process), "
        f"over the budget of {WORK_BUDGET:.0e}",
        "memory": f"about {work.memory / 2**30:.1f} GiB of memory, over {MEMORY_BUDGET / 2**30:.0f} GiB",
        "file": f"a samples.csv of about {work.file / 1e9:.1f} GB, over {FILE_BUDGET / 1e9:.0f} GB",
    }
    reasons = "; ".join(words[name] for name in work.over_budget())
    fitting = work.fitting_samples()
    fewer = f"use --samples {fitting:,} or fewer, " if fitting >= MIN_USEFUL_SAMPLES else ""
    return (
        f"{path}: explore: {size} needs {reasons} — {fewer}study fewer partners at once, "
        "or give --force to run it anyway"
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def exploration_summary(result, folder=None) -> str:
    """A sweep's probabilities, what moves its NPV most and where win-win fails."""
    lines = [
        f"{result.scenario.name}: {result.info['samples']} samples (seed {result.seed}, "
        f"{result.info['backend']}, {result.info['seconds']} s)"
    ]
    for outcome, chance in result.probabilities.items():
        lines.append(f"  P({outcome.column}) = {chance.probability:.3f} ± {chance.margin:.3f} (95%)")
    needed = max((c.samples_for(result.samples) or 0 for c in result.probabilities.values()), default=0)
    if needed:
        lines.append(
            f"  a margin of at most ±0.010 on every probability needs about {needed:,} samples "
            f"(--samples {needed})"
        )
    if not result.robustness.empty:
        best = result.robustness.sort_values("regret_mean_eur", kind="stable").iloc[0]
        option = (
            best.key if best.key == "not_admitted" else f"key {best.key}, transition borne by {best.bearer}"
        )
        lines.append(
            f"  least regret for the worst-off partner: {option} (mean regret {best.regret_mean_eur:,.0f}, "
            f"no partner loses in {best.no_loss:.0%} of the samples)"
        )
    if not result.information.empty:
        everything = result.information[result.information.inputs == "*"].evppi_eur.iloc[0]
        top = result.information[result.information.inputs != "*"].iloc[0]
        lines.append(
            f"  knowing every input before choosing: worth {everything:,.0f} (EVPI); most of it "
            f"{top.inputs} ({top.evppi_eur:,.0f})"
        )
    if not result.tornado.empty:
        lines.append(
            f"  what moves {result.outcome.column} most "
            "(5% and 95% quantiles, others at the scenario's values):"
        )
        for row in result.tornado.head(5).itertuples():
            lines.append(f"    {row.path:<55} {row.outcome_at_low:>14,.0f} … {row.outcome_at_high:>14,.0f}")
    d = result.discovery
    if not d.failures:
        lines.append(f"  win-win holds in all {d.samples} samples")
    elif d.conditions:
        box = " and ".join(f"{path} {op} {value:.4g}" for path, op, value in d.conditions)
        lines.append(
            f"  win-win fails mostly where {box}: {d.density:.0%} of the samples there fail, "
            f"holding {d.coverage:.0%} of the {d.failures} failures"
        )
    else:
        lines.append(f"  win-win fails in {d.failures} of {d.samples} samples, with no clear pattern")
    if folder is not None:
        lines.append(str(folder))
    return "\n".join(lines)
