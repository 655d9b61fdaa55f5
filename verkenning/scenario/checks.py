"""Consistency checks on a structurally valid scenario: small named functions, one concern each.

Each check yields findings ``(location, message, fix)``; ``location`` is the field path as a tuple in
the merged scenario, which the loader turns into file, line and column.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter

from .schema import Scenario

__all__ = [
    "CHECKS",
    "MAX_PARTNERS",
    "UNSWEPT",
    "Finding",
    "correlation_matrix",
    "semidefinite",
    "silent_parameters",
    "uncertain_paths",
    "valid_range",
    "values_at",
]

Finding = tuple[tuple, str, str]

MAX_PARTNERS = 20
"""Partners in the cooperation at once: the cost model lists all 2^n coalitions of a year's game
(2^20 ≈ one million; 2^21 would need gigabytes per year and sample)."""


def _unique_ids(s: Scenario) -> Iterator[Finding]:
    for section in ("partners", "services", "packages"):
        seen: dict[str, int] = {}
        for i, item in enumerate(getattr(s, section)):
            if item.id in seen:
                yield (
                    (section, i, "id"),
                    f"id {item.id!r} is used twice (also {section}[{seen[item.id]}])",
                    "give each a unique id",
                )
            seen.setdefault(item.id, i)


def _size(s: Scenario) -> Iterator[Finding]:
    largest = max((len(s.members(year)) for year in s.years), default=0)
    if largest > MAX_PARTNERS:
        yield (
            ("partners",),
            f"{largest} partners are in the cooperation at once, more than the {MAX_PARTNERS} whose "
            "coalitions can be listed",
            f"study at most {MAX_PARTNERS} at a time: split the growth path into steps, or let some "
            "join later than the horizon",
        )


def _references(s: Scenario) -> Iterator[Finding]:
    partners = {p.id for p in s.partners}
    services = {sv.id for sv in s.services}
    packages = {pk.id for pk in s.packages}
    if s.centre not in partners:
        yield (
            ("centre",),
            f"unknown partner {s.centre!r}",
            f"use one of: {', '.join(sorted(partners))}",
        )
    for i, p in enumerate(s.partners):
        for j, ref in enumerate(p.services):
            if ref not in services and ref not in packages:
                yield (
                    ("partners", i, "services", j),
                    f"unknown service or package {ref!r}",
                    f"use a service id ({', '.join(sorted(services))})"
                    f" or a package ({', '.join(sorted(packages))})",
                )
    for i, sv in enumerate(s.services):
        for j, dep in enumerate(sv.depends_on):
            if dep not in services:
                yield (
                    ("services", i, "depends_on", j),
                    f"unknown service {dep!r}",
                    f"use one of: {', '.join(sorted(services))}",
                )
        if sv.package not in packages:
            yield (
                ("services", i, "package"),
                f"unknown package {sv.package!r}",
                f"use one of: {', '.join(sorted(packages))}",
            )


def _years(s: Scenario) -> Iterator[Finding]:
    first, last = s.base_year, s.end_year
    for i, p in enumerate(s.partners):
        for field in ("joins", "leaves"):
            year = getattr(p, field)
            if year is not None and not first <= year <= last:
                yield (
                    (("partners", i, field)),
                    f"{year} is outside the horizon {first}–{last}",
                    "move it inside the horizon or change base_year / horizon_years",
                )
        if float(p.entry_fee_eur) > 0 and (p.joins is None or p.joins <= first):
            yield (
                ("partners", i, "entry_fee_eur"),
                "only an entrant pays an entry fee, and this partner does not join during the horizon",
                "give it `joins:` after the base year, or remove `entry_fee_eur`",
            )
        if p.joins is not None and p.leaves is not None and p.joins >= p.leaves:
            yield (
                ("partners", i, "leaves"),
                f"leaves ({p.leaves}) must be after joins ({p.joins})",
                "correct one of the years",
            )
    centre = next((p for p in s.partners if p.id == s.centre), None)
    if centre is not None and (centre.joins is not None or centre.leaves is not None):
        field = "joins" if centre.joins is not None else "leaves"
        yield (
            ("partners", s.partners.index(centre), field),
            "the centre must be a member over the whole horizon",
            "remove its `joins` / `leaves`",
        )


def _baselines(s: Scenario) -> Iterator[Finding]:
    """A nulmeting names services its partner takes, states its whole cost once, adds up, and lists
    contracts that have not ended before the horizon starts."""
    for i, p in enumerate(s.partners):
        b = p.baseline
        if b is None:
            continue
        where = ("partners", i, "baseline")
        if b.annual_cost_eur is not None and p.standalone_annual_cost_eur is not None:
            yield (
                (*where, "annual_cost_eur"),
                "the observed cost is given twice (also standalone_annual_cost_eur)",
                "keep one: the nulmeting's annual_cost_eur",
            )
        taken = set(s.taken_by(p))
        for service_id in b.services:
            if service_id not in taken:
                yield (
                    (*where, "services", service_id),
                    f"{p.id} does not take {service_id}",
                    f"give costs of the services it takes: {', '.join(sorted(taken))}",
                )
        if b.annual_cost_eur is not None and b.categories:
            parts = sum(float(v) for v in b.categories.values())
            if abs(parts - float(b.annual_cost_eur)) > 0.01 * max(float(b.annual_cost_eur), 1.0):
                yield (
                    (*where, "categories"),
                    f"the categories add up to {parts:,.0f}, "
                    f"the annual cost is {float(b.annual_cost_eur):,.0f}",
                    "correct one of them (or leave out annual_cost_eur: it is then their sum)",
                )
        for j, contract in enumerate(b.contracts):
            if contract.end_date.year < s.base_year:
                yield (
                    (*where, "contracts", j, "end_date"),
                    f"contract {contract.id} ended on {contract.end_date}, "
                    f"before the horizon starts in {s.base_year}",
                    "leave out contracts that have ended, or correct the date",
                )


def _dependency_cycle(edges) -> list[str] | None:
    """A dependency cycle among ``edges`` (service → what it depends on; the nodes along it, each
    depending on the next), or None; built sorted, so stable. The standard library's graphlib: a
    check of one file should not wait for networkx to import."""
    graph: dict[str, list[str]] = {}
    for service, dependency in sorted(edges):
        graph.setdefault(service, []).append(dependency)
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as found:
        # graphlib lists each node before the one it precedes, a dependency before its dependant
        return list(reversed(found.args[1][1:]))
    return None


def _dependency_cycles(s: Scenario) -> Iterator[Finding]:
    known = {sv.id for sv in s.services}
    cycle = _dependency_cycle((sv.id, dep) for sv in s.services for dep in sv.depends_on if dep in known)
    if cycle:
        start = cycle.index(min(cycle))
        cycle = cycle[start:] + cycle[:start]
        text = " → ".join([*cycle, cycle[0]])
        for i, sv in enumerate(s.services):
            if sv.id in cycle:
                yield (
                    ("services", i, "depends_on"),
                    f"{sv.id} is part of the dependency cycle {text}",
                    "remove one of the depends_on entries along the cycle",
                )


PARTNER_FIGURES = ("inhabitants", "fte", "workstations", "applications", "standalone_annual_cost_eur")
SERVICE_FIGURES = ("fixed_annual_cost_eur", "unit_annual_cost_eur", "scale_exponent")


def uncertain_paths(s: Scenario) -> list[str]:
    """Every figure path an uncertainty may name (``*`` stands for every partner or service)."""
    from .schema import Parameters

    paths = ["discount_rate"]
    paths += [
        f"parameters.{name}" for name, f in Parameters.model_fields.items() if "Figure" in str(f.annotation)
    ]
    for item in ["*", *(p.id for p in s.partners)]:
        paths += [f"partners.{item}.{name}" for name in PARTNER_FIGURES]
    for p in s.partners:
        if p.baseline is not None:
            paths.append(f"partners.{p.id}.baseline.annual_cost_eur")
            paths += [f"partners.{p.id}.baseline.services.{sid}" for sid in p.baseline.services]
    for item in ["*", *(sv.id for sv in s.services)]:
        paths += [f"services.{item}.{name}" for name in SERVICE_FIGURES]
    return paths


def valid_range(path: str) -> tuple[float | None, float | None, bool]:
    """The (low, high, open_low) the figure at ``path`` must stay within, as its field declares."""
    from .figures import bounds_of
    from .schema import Parameters, Partner, Scenario, Service

    parts = path.split(".")
    if parts[0] == "discount_rate":
        return bounds_of(Scenario.model_fields["discount_rate"])
    if parts[0] == "parameters":
        return bounds_of(Parameters.model_fields[parts[1]])
    if parts[0] == "partners" and "baseline" in parts:
        return (0.0, None, False)  # money
    if parts[0] == "partners":
        return bounds_of(Partner.model_fields[parts[2]])
    return bounds_of(Service.model_fields[parts[2]])


def values_at(s: Scenario, path: str) -> list[float]:
    """The scenario's own values of the figure at ``path`` (every item's that has one, for ``*``)."""
    parts = path.split(".")
    if parts[0] == "discount_rate":
        return [float(s.discount_rate)]
    if parts[0] == "parameters":
        return [float(getattr(s.parameters, parts[1]))]
    if parts[0] == "partners" and "baseline" in parts:
        baseline = s.partner(parts[1]).baseline
        return [
            float(baseline.annual_cost_eur if parts[3] == "annual_cost_eur" else baseline.services[parts[4]])
        ]
    items = s.partners if parts[0] == "partners" else s.services
    chosen = [i for i in items if parts[1] in ("*", i.id)]
    return [float(v) for v in (getattr(i, parts[2]) for i in chosen) if v is not None]


def correlation_matrix(s: Scenario, paths) -> list[list[float]]:
    """The rank correlation matrix of the uncertain ``paths`` as the scenario declares it (identity
    where it declares nothing; a pair with a path not among ``paths`` is left out), as rows."""
    from .schema import PAIR

    index = {path: i for i, path in enumerate(paths)}
    matrix = [[float(i == j) for j in range(len(index))] for i in range(len(index))]
    for key, correlation in s.correlations.items():
        a, b = (part.strip() for part in key.split(PAIR))
        if correlation is not None and a in index and b in index:
            matrix[index[a]][index[b]] = matrix[index[b]][index[a]] = correlation.rank
    return matrix


def semidefinite(matrix: list[list[float]], tolerance: float = 1e-9) -> bool:
    """Whether the symmetric ``matrix`` has no eigenvalue below −``tolerance``.

    That holds exactly when ``matrix`` + ``tolerance``·I is positive definite, i.e. when its Cholesky
    factorisation finds a positive pivot at every step (Golub and Van Loan, *Matrix Computations*,
    4th ed. 2013, §4.2). Written out in Python because `check` otherwise needs nothing of numpy, whose
    import is a fifth of the command; a scenario's matrix is a few dozen rows.
    """
    n = len(matrix)
    factor = [[0.0] * n for _ in range(n)]
    for j in range(n):
        pivot = matrix[j][j] + tolerance - sum(v * v for v in factor[j][:j])
        if pivot <= 0:
            return False
        factor[j][j] = root = math.sqrt(pivot)
        for i in range(j + 1, n):
            inner = sum(a * b for a, b in zip(factor[i][:j], factor[j][:j], strict=True))
            factor[i][j] = (matrix[i][j] - inner) / root
    return True


def _correlations(s: Scenario) -> Iterator[Finding]:
    from .schema import PAIR

    valid = set(uncertain_paths(s))
    for key, correlation in s.correlations.items():
        if correlation is None:
            continue
        unknown = [part.strip() for part in key.split(PAIR) if part.strip() not in valid]
        if unknown:
            yield (
                ("correlations", key),
                f"{unknown[0]!r} names no figure of this scenario",
                "name two figures that have an uncertainty (see `uncertainties:`)",
            )
    declared = sorted(path for path, spec in s.uncertainties.items() if spec is not None)
    pairs = [
        key
        for key, c in s.correlations.items()
        if c is not None and c.rank and all(part.strip() in declared for part in key.split(PAIR))
    ]
    if pairs and not semidefinite(correlation_matrix(s, declared)):
        yield (
            ("correlations",),
            "these rank correlations cannot hold together (their matrix is not positive semi-definite): "
            + "; ".join(f"{key} = {s.correlations[key].rank:g}" for key in pairs),
            "weaken one: a figure cannot be tied strongly to two others that are tied in contrary ways",
        )


def _each_needs_a_star(s: Scenario) -> Iterator[Finding]:
    for path, spec in s.uncertainties.items():
        if spec is not None and spec.each and ".*." not in path:
            yield (
                ("uncertainties", path, "each"),
                "`each: true` draws per item of a `*` path, and this path names one figure",
                "remove `each`, or write the path with `*` (e.g. services.*.scale_exponent)",
            )


def _uncertainty_ranges(s: Scenario) -> Iterator[Finding]:
    """A distribution whose draws can leave the figure's valid range is refused (before any draw)."""
    valid = set(uncertain_paths(s))
    for path, spec in s.uncertainties.items():
        if path not in valid or spec is None:
            continue
        low, high, open_low = valid_range(path)
        first, last = spec.support()
        own = values_at(s, path)
        if spec.factor:  # a draw multiplies each item's own value
            products = [v * end for v in own for end in (first, last) if v]
            first, last = (min(products), max(products)) if products else (0.0, 0.0)
        elif ".*." in path and not spec.each and own and sum(own):  # each item moves in proportion
            mean = sum(own) / len(own)
            ends = [v / mean * end for v in own for end in (first, last)]
            first, last = min(ends), max(ends)
        below = low is not None and (first <= low if open_low else first < low)
        above = high is not None and last > high
        if below or above:
            allowed = f"{'(' if open_low else '['}{_g(low, '-∞')}, {_g(high, '∞')}]"
            reach = f"[{_g(first, '-∞')}, {_g(last, '∞')}]"
            yield (
                ("uncertainties", path),
                f"the {spec.distribution} distribution draws values in {reach}, outside the valid range "
                f"{allowed} of {path}",
                "declare the truncation within the range with `low:` and `high:`"
                if spec.distribution == "normal"
                else "choose bounds within the range",
            )


def _g(value: float | None, infinite: str) -> str:
    return infinite if value is None or not math.isfinite(value) else f"{value:g}"


ENTRY_PARAMETERS = (
    "transition_team_fte",
    "transition_team_months",
    "transition_migration_eur_per_workstation",
    "transition_network_eur",
    "transition_training_eur_per_fte",
    "double_running_months",
    "contract_share",
    "stranded_book_value_share",
    "guarantee_share",
    "surplus_fte_share",
    "social_plan_eur_per_fte",
    "level_effect_entrant",
)
"""The parameters only an entry reads (the lines of its business case)."""

UNSWEPT = {
    "baseline_error_observed": "it sets the size of the nulmeting's measurement error",
    "baseline_error_estimated": "it sets the size of the nulmeting's measurement error",
    "continuity_min_workstations": "only the scorecard's continuity indicator reads it",
    "exit_bridging_years": "a whole number of years the exit schedule reads from the scenario",
    "wage_index": "only the meerjarenraming reads it",
    "nominal_discount_rate": "only the meerjarenraming's nominal NPV reads it",
    "guarantee_years": "a number of years the personnel lines' schedule reads from the scenario",
    "surplus_years": "a number of years the personnel lines' schedule reads from the scenario",
    "risk_reserve_share": "only the verdict on shared risks reads it",
}
"""Parameters no outcome of a sweep depends on, and why (a test holds this list to the model)."""


def silent_parameters(s: Scenario) -> dict[str, str]:
    """The parameters no outcome of a sweep of ``s`` depends on, and why: those of :data:`UNSWEPT`
    (an uncertainty on one is refused) and those this scenario leaves unused (the defaults'
    uncertainties on them are left out of its sweep)."""
    silent = dict(UNSWEPT)
    if not any(p.leaves is not None for p in s.partners):
        silent["exit_cost_share"] = "no partner leaves in this scenario"
    elif s.parameters.exit_method != "share":
        silent["exit_cost_share"] = (
            f"a leaver settles by exit_method {s.parameters.exit_method}, not by this share"
        )
    if s.parameters.pricing == "direct":
        for name in ("overhead_share", "capital_charge_share"):
            silent[name] = "the centre charges its direct cost (pricing direct): only the verdicts read it"
    if not s.entrants():
        for name in ENTRY_PARAMETERS:
            silent[name] = "no partner joins in this scenario"
    return silent


def _uncertainty_paths(s: Scenario) -> Iterator[Finding]:
    valid = set(uncertain_paths(s))
    for path, spec in s.uncertainties.items():
        name = path.removeprefix("parameters.")
        if spec is not None and path.startswith("parameters.") and name in UNSWEPT:
            yield (
                ("uncertainties", path),
                f"{path!r} feeds no outcome of the sweep: {UNSWEPT[name]}",
                "remove the uncertainty (vary the figure with a second scenario and `verkenning compare`)",
            )
            continue
        if path not in valid:
            head = ".".join(path.split(".")[:2])
            close = (
                sorted(v for v in valid if v.startswith(head + "."))
                or sorted(v for v in valid if v.split(".")[-1] == path.split(".")[-1])
                or sorted(v for v in valid if ".*." in v or "." not in v)
            )
            yield (
                ("uncertainties", path),
                f"{path!r} names no figure of this scenario",
                f"use one of: {', '.join(close[:12])}{' ...' if len(close) > 12 else ''}",
            )


def _terms(s: Scenario) -> Iterator[Finding]:
    groups = sorted({sv.key_group or sv.package for sv in s.services})
    for i, group in enumerate(s.terms.keep):
        if group not in groups:
            yield (
                ("terms", "keep", i),
                f"unknown service group {group!r}",
                f"use one of: {', '.join(groups)} (a service's key_group, else its package)",
            )


def _fixed_shares(s: Scenario) -> Iterator[Finding]:
    ids = {p.id for p in s.partners}
    for partner in s.fixed_shares:
        if partner not in ids:
            yield (
                ("fixed_shares", partner),
                f"unknown partner {partner!r}",
                f"use one of: {', '.join(sorted(ids))}",
            )
    total = sum(s.fixed_shares.values())
    if s.fixed_shares and abs(total - 100.0) > 0.01:
        yield (
            ("fixed_shares",),
            f"the percentages add up to {total:g}, not 100",
            "give each partner of the agreement its percentage so that they add up to 100",
        )


CHECKS = (
    _unique_ids,
    _references,
    _terms,
    _fixed_shares,
    _years,
    _size,
    _dependency_cycles,
    _baselines,
    _uncertainty_paths,
    _uncertainty_ranges,
    _each_needs_a_star,
    _correlations,
)
