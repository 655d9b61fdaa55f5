"""An independent reference of the cost model, written from the formulas in the docstrings of
``verkenning/costs/model.py``, ``allocation.py``, ``paths.py`` and ``inputs.py`` with plain Python
loops over partners, coalitions, services and years. It reads the validated Scenario's figures and
nothing else of the package: no arrays, no shared helpers.

Formulas (the docstrings'):
- K_s(S) = F_s + u_s · r_s · (V_s(S)/r_s)^e_s when a member of S takes s (the variable part only for
  a quantity driver), with F_s = min(λ F, T) and u_s = (T − F_s)/r_s for T = F + u r (λ the
  fixed-share scale; F and u as stated for the fixed driver), V_s(S) = Σ over the members taking s
  of their driver (times the volume factor when the driver grows); c(S) = Σ_s K_s(S) + k·(|S| − 1);
  c({p}) is the observed stand-alone cost (times the volume factor) where given.
- Real growth ((1 + g)/(1 + π))^t for stand-alone costs and the cooperation; volume (1 + v)^t, with
  v a partner's own volume growth where it has one.
- The year's game: c_y(S) = g_c^t (c(S) + λ Σ_{entrants e ∈ S} c({e})) for |S| ≥ 2, g_s^t c({p}) alone.
- The key: each service line L = g_c^t K_s(N) (g_s^t for a cooperation of one member) split by
  the key's weights of its takers (equally when all weigh zero), the overhead g_c^t k (m − 1)
  equally, and λ g_c^t c({e}) to each entrant member.
- The entry's lines (``lines.py``), for an entrant joining in J after the base year with C its base
  stand-alone cost and w the fte cost: transition items (team fte × months/12 × w, migration × its
  workstations, network, training × its fte) times each phasing share in J + j; double running, each
  contract's annual cost times the part of each year from 1 January J to the later of its end date
  and J + notice, else contract share × C × months/12 from J; stranded book value in J (each asset's
  value written down straight from 31 December of the nulmeting's year to its end, else a share of
  C); guarantees share × w × fte a year and surplus share × fte × w a year for their years (a part
  year in part), a sociaal plan per fte in J, the fte being the nulmeting's employed staff or
  personnel share × C / w. The transition and double running to the transition bearer, stranded to
  the entrant, each personnel line to its bearer (entrant, centre, or that year's key).
- Every member of a cooperation of two or more, each year: its retained cost (own, or (fte + per
  100k × min(inhabitants, 100k)/100k) × w) times the stand-alone growth; with integral pricing each
  member but the centre pays (overhead + capital) × its share, the centre receives the sum; VAT 21% ×
  its unrecoverable share (own, else 0 for municipalities and public bodies, 1 otherwise) × its
  charges (share + surcharge; none for the centre), or × (1 − personnel share) × what it buys itself.
- The game's singletons lose the retained cost when the year has two or more members.
- Exit fee x × the leaver's key share of the year before, paid by the leaver and split over the
  stayers by the key.
- Cost: key share (member) or stand-alone cost, plus the lines and exit; status quo: the root's
  members with their root services by the key, plus services taken beyond them bought alone, plus
  their lines.
- The nulmeting (``baseline``): a service's observed cost replaces K_s({p}) for the partner alone,
  the whole observed cost replaces c({p}); both scale with the volume factor.
- Draws (``inputs.py``): a value replaces the figure or, for a factor, multiplies it; ``*`` applies to
  every partner or service, a value (not a factor) moving each item's own figure by the value over
  the mean of the items' figures.
"""

from __future__ import annotations

FIGURES = ("inhabitants", "fte", "workstations", "applications")
SCALES = ("inhabitants", "fte", "workstations", "applications")  # drivers that grow with volume


def _over_mean(value: float, own: list[float]) -> tuple[float, bool]:
    """A ``*`` value as the factor it is: the value over the items' mean (no mean: the value itself)."""
    mean = sum(own) / len(own) if own else 0.0
    return (value / mean, True) if mean else (value, False)


class Reference:
    """The cost model of one scenario at one set of figure values, by loops."""

    def __init__(self, scenario, values: dict | None = None, bearer: str | None = None):
        self.s = scenario
        self.years = list(range(scenario.base_year, scenario.base_year + int(scenario.horizon_years)))
        self.partners = [p.id for p in scenario.partners]
        self.figure = {p.id: {f: float(getattr(p, f)) for f in FIGURES} for p in scenario.partners}
        self.observed = {
            p.id: None if p.observed_cost is None else float(p.observed_cost) for p in scenario.partners
        }
        self.observed_service = {
            (p.id, sid): float(cost)
            for p in scenario.partners
            if p.baseline is not None
            for sid, cost in p.baseline.services.items()
        }
        self.service = {
            sv.id: {
                "fixed": float(sv.fixed_annual_cost_eur),
                "unit": float(sv.unit_annual_cost_eur),
                "exponent": float(sv.scale_exponent),
                "reference": float(sv.reference_volume),
                "driver": sv.driver,
                "key": sv.allocation_key or sv.driver,
                "depends": list(sv.depends_on),
                "package": sv.package,
            }
            for sv in scenario.services
        }
        names = [
            n
            for n in type(scenario.parameters).model_fields
            if n
            not in (
                "transition_cost_bearer",
                "exit_method",
                "fourk_weights",
                "transition_phasing",
                "friction_bearers",
                "pricing",
            )
        ]
        self.p = {n: float(getattr(scenario.parameters, n)) for n in names}
        self.discount = float(scenario.discount_rate)
        self.bearer = bearer or scenario.parameters.transition_cost_bearer
        for (path, spec), value in (values or {}).items():
            self._apply(path, spec.factor, float(value))
        self.own_growth = {
            p.id: None if p.volume_growth is None else float(p.volume_growth) for p in scenario.partners
        }
        self.joins = {p.id: p.joins for p in scenario.partners}
        self.leaves = {p.id: p.leaves for p in scenario.partners}
        self.take = {p.id: self._closure(self._expand(p.services)) for p in scenario.partners}
        root = scenario.status_quo[1]
        self.sq_members = [p for p in self.partners if p in root]
        self.sq_take = {p: self._closure(self._expand(root[p])) for p in self.sq_members}

    # -- figures ----------------------------------------------------------------------------------

    def _apply(self, path: str, factor: bool, value: float) -> None:
        head, *rest = path.split(".")
        if head == "discount_rate":
            self.discount = self.discount * value if factor else value
        elif head == "parameters":
            self.p[rest[0]] = self.p[rest[0]] * value if factor else value
        elif head == "services":
            field = {
                "fixed_annual_cost_eur": "fixed",
                "unit_annual_cost_eur": "unit",
                "scale_exponent": "exponent",
            }[rest[1]]
            chosen = list(self.service) if rest[0] == "*" else [rest[0]]
            if rest[0] == "*" and not factor:
                value, factor = _over_mean(value, [self.service[sid][field] for sid in chosen])
            for sid in chosen:
                self.service[sid][field] = self.service[sid][field] * value if factor else value
        else:
            chosen = list(self.figure) if rest[0] == "*" else [rest[0]]
            if rest[0] == "*" and not factor and rest[1] in FIGURES:
                value, factor = _over_mean(value, [self.figure[pid][rest[1]] for pid in chosen])
            for pid in chosen:
                if rest[1] == "baseline" and rest[2] == "services":
                    current = self.observed_service[pid, rest[3]]
                    self.observed_service[pid, rest[3]] = current * value if factor else value
                elif rest[1] in ("standalone_annual_cost_eur", "baseline"):
                    current = self.observed[pid]
                    if current is not None:
                        self.observed[pid] = current * value if factor else value
                else:
                    current = self.figure[pid][rest[1]]
                    self.figure[pid][rest[1]] = current * value if factor else value

    def _expand(self, refs) -> set[str]:
        out = set()
        for ref in refs:
            in_package = [sid for sid, sv in self.service.items() if sv["package"] == ref]
            out.update(in_package or [ref])
        return out

    def _closure(self, ids) -> set[str]:
        found, todo = set(), list(ids)
        while todo:
            sid = todo.pop()
            if sid not in found:
                found.add(sid)
                todo.extend(self.service[sid]["depends"])
        return found

    def quantity(self, pid: str, name: str) -> float:
        return self.figure[pid][name] if name in FIGURES else 1.0

    # -- costs ------------------------------------------------------------------------------------

    def curve(self, sid: str) -> tuple[float, float]:
        """F and u with the shared fixed part scaled by λ, the reference cost kept (model.py)."""
        sv = self.service[sid]
        scale = self.p["fixed_share_scale"]
        if sv["driver"] == "fixed" or scale == 1.0:
            return sv["fixed"], sv["unit"]
        total = sv["fixed"] + sv["unit"] * sv["reference"]
        fixed = min(scale * sv["fixed"], total)
        return fixed, (total - fixed) / sv["reference"]

    def line(self, sid: str, coalition, vf: dict, take=None) -> float:
        take = take or self.take
        sv = self.service[sid]
        takers = [p for p in coalition if sid in take[p]]
        if not takers:
            return 0.0
        volume = sum(
            self.quantity(p, sv["driver"]) * (vf[p] if sv["driver"] in SCALES else 1.0) for p in takers
        )
        fixed, unit = self.curve(sid)
        variable = 0.0
        if sv["driver"] != "fixed":
            variable = unit * sv["reference"] * (volume / sv["reference"]) ** sv["exponent"]
        return fixed + variable

    def alone_line(self, pid: str, sid: str, vf: dict) -> float:
        """What one service costs a partner alone: its nulmeting's figure where given, else modelled."""
        if (pid, sid) in self.observed_service and sid in self.take[pid]:
            return self.observed_service[pid, sid] * vf[pid]
        return self.line(sid, [pid], vf)

    def alone(self, pid: str, vf: dict) -> float:
        if self.observed[pid] is not None:
            return self.observed[pid] * vf[pid]
        return sum(self.alone_line(pid, sid, vf) for sid in self.service)

    def coalition(self, members, vf: dict) -> float:
        if len(members) == 1:
            return self.alone(members[0], vf)
        k = self.p["coordination_annual_cost_eur_per_organisation"]
        return sum(self.line(sid, members, vf) for sid in self.service) + k * max(len(members) - 1, 0)

    def growth(self, rate: str, t: int) -> float:
        return ((1 + self.p[rate]) / (1 + self.p["inflation"])) ** t

    def volume(self, t: int) -> dict:
        """Each partner's volume factor in year t: its own growth where it has one, else the general."""
        general = self.p["volume_growth"]
        return {p: (1 + (general if g is None else g)) ** t for p, g in self.own_growth.items()}

    def members(self, year: int) -> list[str]:
        return [
            p
            for p in self.partners
            if (self.joins[p] is None or self.joins[p] <= year)
            and (self.leaves[p] is None or year < self.leaves[p])
        ]

    def key(self, members, year: int, take=None) -> dict[str, float]:
        take = take or self.take
        t = year - self.years[0]
        rate = "cost_growth_cooperation" if len(members) > 1 else "cost_growth_standalone"
        g, vf = self.growth(rate, t), self.volume(t)
        share = dict.fromkeys(members, 0.0)
        for sid, sv in self.service.items():
            amount = self.line(sid, members, vf, take) * g
            takers = [p for p in members if sid in take[p]]
            if not takers:
                continue
            weights = [self.quantity(p, sv["key"]) for p in takers]
            for p, w in zip(takers, weights, strict=True):
                share[p] += amount * w / sum(weights) if sum(weights) > 0 else amount / len(takers)
        overhead = self.p["coordination_annual_cost_eur_per_organisation"] * (len(members) - 1) * g
        for p in members:
            share[p] += overhead / len(members)
            if self.joins[p] is not None:
                share[p] += self.p["level_effect_entrant"] * self.alone(p, vf) * g
        return share

    def game(self, year: int) -> list[float]:
        t = year - self.years[0]
        vf = self.volume(t)
        members = self.members(year)
        values = []
        for mask in range(1 << len(members)):
            group = [p for i, p in enumerate(members) if mask >> i & 1]
            if not group:
                values.append(0.0)
            elif len(group) == 1:
                kept = self.retained(group[0]) if len(members) > 1 else 0.0
                values.append(self.growth("cost_growth_standalone", t) * (self.alone(group[0], vf) - kept))
            else:
                own = sum(self.alone(p, vf) for p in group if self.joins[p] is not None)
                values.append(
                    self.growth("cost_growth_cooperation", t)
                    * (self.coalition(group, vf) + self.p["level_effect_entrant"] * own)
                )
        return values

    # -- the path ---------------------------------------------------------------------------------

    def path(self) -> dict:
        shares = {y: self.key(self.members(y), y) for y in self.years}
        sq_shares = {y: self.key(self.sq_members, y, self.sq_take) for y in self.years}
        one_off = {(p, y): 0.0 for p in self.partners for y in self.years}

        def bear(p, year, amount, bearer):
            if year not in self.years or amount == 0:
                return
            if bearer == "entrant":
                one_off[p, year] += amount
            elif bearer == "centre":
                one_off[self.s.centre, year] += amount
            else:
                total = sum(shares[year].values())
                for q, w in shares[year].items():
                    one_off[q, year] += amount * w / total

        for p in self.partners:
            entry = self.joins[p]
            if entry is not None and entry > self.years[0]:
                for year, amount, bearer in self.entry_lines(p):
                    bear(p, year, amount, bearer)
            exit_year = self.leaves[p]
            if exit_year is not None and exit_year in self.years and exit_year > self.years[0]:
                # KB 14 mei 1985: 100, 80, 60, 40, 20% of the last share; ABRvS 2015: the stranded
                # part (last share minus what the leaver adds to the cost) for the bridging years
                last = shares[exit_year - 1].get(p, float("nan"))
                method = self.s.parameters.exit_method
                if method == "kb1985":
                    factors = [1.0, 0.8, 0.6, 0.4, 0.2]
                elif method == "share":
                    factors = [self.p["exit_cost_share"]]
                else:
                    before = self.members(exit_year - 1)
                    rest = [q for q in before if q != p]
                    added = sum(self.key(before, exit_year - 1).values()) - sum(
                        self.key(rest, exit_year - 1).values()
                    )
                    last = max(last - added, 0.0)
                    factors = [1.0] * int(float(self.s.parameters.exit_bridging_years))
                for j, factor in enumerate(factors):
                    year = exit_year + j
                    if year not in self.years:
                        break
                    one_off[p, year] += factor * last
                    total = sum(shares[year].values())
                    for q, w in shares[year].items():
                        one_off[q, year] -= factor * last * w / total
        cost, status_quo, standalone = {}, {}, {}
        for p in self.partners:
            for year in self.years:
                t = year - self.years[0]
                gs, vf = self.growth("cost_growth_standalone", t), self.volume(t)
                standalone[p, year] = self.alone(p, vf) * gs
                member = p in shares[year]
                cost[p, year] = (shares[year][p] if member else standalone[p, year]) + one_off[p, year]
                cost[p, year] += self.beside(p, shares[year], standalone[p, year], 0.0, gs)
                if p in self.sq_members:
                    extra = sum(self.alone_line(p, sid, vf) for sid in self.take[p] - self.sq_take[p])
                    status_quo[p, year] = sq_shares[year][p] + extra * gs
                    status_quo[p, year] += self.beside(
                        p, sq_shares[year], standalone[p, year], extra * gs, gs
                    )
                else:
                    status_quo[p, year] = standalone[p, year]
                    status_quo[p, year] += self.beside(p, sq_shares[year], standalone[p, year], 0.0, gs)
        npv = {
            p: sum(
                (status_quo[p, y] - cost[p, y]) / (1 + self.discount) ** (y - self.years[0])
                for y in self.years
            )
            for p in self.partners
        }
        total = {y: sum(shares[y].values()) for y in self.years}
        return {
            "share": shares,
            "cost": cost,
            "status_quo": status_quo,
            "standalone": standalone,
            "npv": npv,
            "total": total,
        }

    def reference_year(self) -> int:
        joins = [j for j in self.joins.values() if j is not None]
        phased = len(self.s.parameters.transition_phasing.shares)
        return min(max(joins) + phased, self.years[-1]) if joins else self.years[0]

    # -- the lines beside the platform ------------------------------------------------------------

    def retained(self, p: str) -> float:
        own = self.s.partner(p).retained_annual_cost_eur
        if own is not None:
            return float(own)
        size = min(self.figure[p]["inhabitants"], 100_000) / 100_000
        fte = self.p["retained_fte"] + self.p["retained_fte_per_100k_inhabitants"] * size
        return fte * self.p["fte_annual_cost_eur"]

    def vat(self, p: str) -> float:
        partner = self.s.partner(p)
        if partner.vat_unrecoverable_share is not None:
            return float(partner.vat_unrecoverable_share)
        return 1.0 if partner.kind == "other" else 0.0

    def beside(self, p: str, shares: dict, alone: float, bought: float, gs: float) -> float:
        """Retained cost, surcharge and VAT of partner p in a year whose members pay ``shares``."""
        out = 0.0
        member = p in shares
        if member and len(shares) > 1:
            out += self.retained(p) * gs
        rate = 0.0
        if self.s.parameters.pricing == "integral" and self.s.centre in shares:
            rate = self.p["overhead_share"] + self.p["capital_charge_share"]
        surcharge = 0.0
        if member and p != self.s.centre:
            surcharge = rate * shares[p]
        elif member:
            surcharge = -rate * sum(x for q, x in shares.items() if q != p)
        out += surcharge
        purchased = 1.0 - self.p["personnel_share"]
        if member:
            charged = shares[p] + surcharge if p != self.s.centre else 0.0
            out += 0.21 * self.vat(p) * (charged + purchased * bought)
        else:
            out += 0.21 * self.vat(p) * purchased * alone
        return out

    def entry_lines(self, p: str):
        """(year, amount, bearer) of partner p's entry, from the formulas."""
        from datetime import date, timedelta

        partner, par = self.s.partner(p), self.s.parameters
        entry, w = self.joins[p], self.p["fte_annual_cost_eur"]
        base = self.alone(p, self.volume(0))
        out = []
        items = (
            self.p["transition_team_fte"] * self.p["transition_team_months"] / 12 * w
            + self.p["transition_migration_eur_per_workstation"] * self.figure[p]["workstations"]
            + self.p["transition_network_eur"]
            + self.p["transition_training_eur_per_fte"] * self.figure[p]["fte"]
        )
        for j, share in enumerate(par.transition_phasing.shares):
            out.append((entry + j, share * items, self.bearer))
        contracts = partner.baseline.contracts if partner.baseline is not None else ()
        start = date(entry, 1, 1)
        for c in contracts:
            until = max(c.end_date, start + timedelta(days=float(c.notice_months) * 365.25 / 12))
            for year in self.years:
                lo, hi = max(start, date(year, 1, 1)), min(until, date(year + 1, 1, 1))
                if hi > lo:
                    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
                    out.append((year, float(c.annual_cost_eur) * (hi - lo).days / days, self.bearer))
        if not contracts:
            months = self.p["double_running_months"]
            for j in range(len(self.years)):
                part = min(max(months / 12 - j, 0.0), 1.0)
                out.append((entry + j, self.p["contract_share"] * base * part, self.bearer))
        assets = partner.baseline.assets if partner.baseline is not None else ()
        if assets:
            measured = date(partner.baseline.year, 12, 31)
            value = 0.0
            for a in assets:
                if start <= measured:
                    value += float(a.book_value_eur)
                elif a.depreciation_end > start:
                    value += (
                        float(a.book_value_eur)
                        * (a.depreciation_end - start).days
                        / (a.depreciation_end - measured).days
                    )
        else:
            value = self.p["stranded_book_value_share"] * base
        out.append((entry, value, "entrant"))
        staff = partner.baseline.staff if partner.baseline is not None else ()
        if staff:
            fte = sum(float(line.fte) for line in staff if not line.hired)
        else:
            fte = self.p["personnel_share"] * base / w
        bearers = par.friction_bearers
        for j in range(20):
            g = min(max(float(par.guarantee_years) - j, 0.0), 1.0)
            u = min(max(float(par.surplus_years) - j, 0.0), 1.0)
            out.append((entry + j, g * self.p["guarantee_share"] * w * fte, bearers.guarantees))
            out.append((entry + j, u * self.p["surplus_fte_share"] * fte * w, bearers.surplus))
        out.append((entry, self.p["social_plan_eur_per_fte"] * fte, bearers.social_plan))
        return out
