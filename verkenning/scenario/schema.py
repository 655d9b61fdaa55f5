"""The scenario schema: frozen pydantic models with units in their names.

Field names are fixed (other tools read them). Ranges and types are checked here; references
between objects (ids, dependencies, years against the horizon) are checked in ``checks.py``.
"""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ..errors import VerkenningError
from .figures import (
    ID_LIMIT,
    NAME_LIMIT,
    PROSE_LIMIT,
    Count,
    DiscountRate,
    Exponent,
    Figure,
    Fraction,
    Money,
    between,
    check_words,
    fail,
    show,
)

__all__ = [
    "COST_CATEGORIES",
    "DISTRIBUTIONS",
    "DRIVERS",
    "KEY_DRIVERS",
    "PRINCIPLES",
    "Asset",
    "Baseline",
    "Contract",
    "Correlation",
    "FourKWeights",
    "KeyRole",
    "Package",
    "Parameters",
    "Partner",
    "Scenario",
    "Service",
    "StaffLine",
    "Terms",
    "Uncertainty",
]


def _check_id(value: str) -> str:
    if len(value) > ID_LIMIT:
        raise fail(f"an id is at most {ID_LIMIT} characters, this one {len(value):,}", "shorten it")
    if not value or not (value[0].isalpha() and all(c.isalnum() or c in "_-" for c in value)):
        raise fail(
            f"{value!r} is not a valid id",
            "use letters, digits, '_' or '-', starting with a letter (e.g. borne, NET)",
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise fail("must not be empty", "write a short description")
    return check_words(value, NAME_LIMIT)


def _check_prose(value: str) -> str:
    return check_words(value, PROSE_LIMIT, lines=True)


def _check_question(value: str) -> str:
    if not value.strip():
        raise fail("must not be empty", "write the question the study answers")
    return _check_prose(value)


def _check_label(value: str) -> str:
    return check_words(value, NAME_LIMIT)


def _check_whole(value: float) -> float:
    if value != int(value):
        raise fail(f"must be a whole number, got {value:g}", "round it to a whole number")
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, AfterValidator(_check_text)]
"""A name: one line, not empty, at most NAME_LIMIT characters."""
Prose = Annotated[str, AfterValidator(_check_prose)]
"""A description, source or assumption: lines allowed, at most PROSE_LIMIT characters."""
Question = Annotated[str, AfterValidator(_check_question)]
Label = Annotated[str, AfterValidator(_check_label)]
"""An optional name (may be empty)."""
Year = Annotated[int, Field(ge=1900, le=2200)]


class _Model(BaseModel):
    # defer_build: a model's validator is built when first used, not when this module is imported;
    # the scenario's then covers every part of it once (about 20 ms of `check`'s start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, defer_build=True)


class KeyRole(_Model):
    """Staffing a service needs in one role: ``fixed_fte`` plus ``fte_per_unit`` × driver volume.

    In a file, a plain number (or figure mapping) means ``fixed_fte``.
    """

    fixed_fte: Count = Figure(0.0)
    fte_per_unit: Count = Figure(0.0)

    @model_validator(mode="before")
    @classmethod
    def _plain_number_is_fixed(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "value" in raw:
            return {"fixed_fte": raw}
        return raw


COST_CATEGORIES = ("personnel", "software", "infrastructure", "external")


class StaffLine(_Model):
    """People in one role at the partner today."""

    role: Text
    fte: Count
    hired: bool = False
    """Hired (inhuur) rather than employed."""


class Contract(_Model):
    """A contract of the partner's own: what it costs, what it covers, and when it can end."""

    id: Id
    supplier: Text
    covers: Text
    annual_cost_eur: Money
    end_date: date
    notice_months: Count = Figure(0.0)


class Asset(_Model):
    """An asset of the partner's own still on its books."""

    id: Id
    description: Text
    book_value_eur: Money
    depreciation_end: date


class Baseline(_Model):
    """The partner's own measured position (nulmeting): what it spends now on the in-scope services.

    ``annual_cost_eur`` is the whole in-scope cost; ``services`` gives it per service (service id →
    cost); ``categories`` splits it by kind (personnel, software, infrastructure, external services).
    Observed figures replace the modelled stand-alone cost; staff, contracts, applications and assets
    are read, checked and shown, and feed the cost lines of the business case.
    """

    year: Year
    """The year the figures were measured in."""
    annual_cost_eur: Money | None = None
    services: dict[Id, Money] = Field(default_factory=dict)
    categories: dict[Literal["personnel", "software", "infrastructure", "external"], Money] = Field(
        default_factory=dict
    )
    staff: tuple[StaffLine, ...] = ()
    contracts: tuple[Contract, ...] = ()
    applications: tuple[Text, ...] = ()
    assets: tuple[Asset, ...] = ()

    @property
    def whole_cost(self) -> Figure | None:
        """The whole in-scope cost: as given, else the sum of the categories when they are given."""
        if self.annual_cost_eur is not None:
            return self.annual_cost_eur
        if self.categories:
            figures = list(self.categories.values())
            how = {f.how_obtained for f in figures}
            obtained = how.pop() if len(how) == 1 else "estimated"
            return Figure(
                sum(figures), assumption="de som van de kostensoorten van de nulmeting", obtained=obtained
            )
        return None


class Partner(_Model):
    """An organisation in (or entering, or leaving) the cooperation. Volumes drive service costs."""

    id: Id
    name: Text
    kind: Literal["municipality", "public_body", "other"]
    inhabitants: Count = Figure(0.0)
    fte: Count = Figure(0.0)
    workstations: Count = Figure(0.0)
    applications: Count = Figure(0.0)
    services: tuple[Id, ...] = ()
    joins: Year | None = None
    leaves: Year | None = None
    standalone_annual_cost_eur: Money | None = None
    retained_annual_cost_eur: Money | None = None
    """What the partner keeps at home as a member (its opdrachtgeversrol); absent: by size, from
    ``parameters.retained_fte``."""
    vat_unrecoverable_share: Fraction | None = None
    """The share of VAT on the centre's charges the partner cannot recover; absent: by ``kind``."""
    entry_fee_eur: Money = Figure(0.0, assumption="geen toetredingsbijdrage: alleen het eigen aandeel")
    """A one-off contribution an entrant pays in its year of entry, on top of its share; it goes to
    the partners already in, by their key shares that year (an *inkoopsom* or *toetredingsbijdrage*)."""
    volume_growth: Annotated[Figure, between(-0.5, 0.5)] | None = None
    """The partner's own yearly volume growth (absent: ``parameters.volume_growth``)."""
    baseline: Baseline | None = None
    """The partner's own measured costs, staff, contracts and assets (nulmeting)."""

    @property
    def observed_cost(self) -> Figure | None:
        """The observed whole stand-alone cost: the baseline's, else ``standalone_annual_cost_eur``."""
        whole = self.baseline.whole_cost if self.baseline is not None else None
        return whole if whole is not None else self.standalone_annual_cost_eur

    @property
    def organisations(self) -> Figure:
        """The ``organisations`` driver: every partner is one organisation."""
        return Figure(1.0)

    def volume(self, driver: str) -> float:
        """This partner's quantity of a cost driver (``fixed`` counts as one)."""
        return 1.0 if driver == "fixed" else float(getattr(self, driver))


DRIVERS = ("workstations", "inhabitants", "fte", "applications", "organisations", "fixed")


class Service(_Model):
    """A service: annual cost = fixed + unit cost × reference volume × (volume / reference)^exponent."""

    id: Id
    name: Text
    domain: Literal["it", "im"]
    driver: Literal["workstations", "inhabitants", "fte", "applications", "organisations", "fixed"]
    fixed_annual_cost_eur: Money = Figure(0.0)
    unit_annual_cost_eur: Money = Figure(0.0)
    scale_exponent: Exponent = Figure(1.0)
    reference_volume: Annotated[Figure, between(0, None, open_low=True)] = Figure(1.0)
    """The volume at which ``unit_annual_cost_eur`` is the cost per unit; the exponent bends the cost
    curve around it, so changing the exponent changes the scale effect, not the level of cost."""
    depends_on: tuple[Id, ...] = ()
    key_roles: dict[Id, KeyRole] = Field(default_factory=dict)
    package: Id
    allocation_key: (
        Literal["workstations", "inhabitants", "fte", "applications", "organisations", "equal"] | None
    ) = None
    """How the scenario's own key shares this service's cost; absent: by its driver (price × quantity)."""
    key_group: Id | None = None
    """The group of services a designed key shares alike (``verkenning terms``); absent: its package."""


class Package(_Model):
    """A named bundle of services that a partner can take as a whole (basis, plus, im)."""

    id: Id
    name: Text
    description: Prose = ""


class FourKWeights(_Model):
    """Weights of the 4 K's in a composite score; only used when a scenario gives them."""

    kosten: Annotated[Figure, between(0, None)]
    kwaliteit: Annotated[Figure, between(0, None)]
    kwetsbaarheid: Annotated[Figure, between(0, None)]
    kennis: Annotated[Figure, between(0, None)]


class Phasing(_Model):
    """Shares of a one-off cost per year from the year of entry, adding up to 1."""

    shares: tuple[Annotated[float, Field(ge=0, le=1)], ...] = Field(min_length=1, max_length=10)
    source: Prose = ""
    assumption: Prose = ""

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, raw: Any) -> Any:
        """In a file, a plain list of shares (``[0.5, 0.5]``) is the phasing without a pedigree."""
        return {"shares": raw} if isinstance(raw, list | tuple) else raw

    @model_validator(mode="after")
    def _adds_up(self) -> Phasing:
        if abs(sum(self.shares) - 1.0) > 1e-9:
            raise fail(f"the phasing adds up to {sum(self.shares):g}, not 1", "make the shares add up to 1")
        return self


Bearer = Literal["entrant", "centre", "key"]


class FrictionBearers(_Model):
    """Who bears each personnel line of an entry: the entrant, the centre, or all members by key."""

    guarantees: Bearer = "entrant"
    surplus: Bearer = "entrant"
    social_plan: Bearer = "entrant"


class Parameters(_Model):
    """Model parameters. Their defaults, each with a pedigree, are in ``data/defaults.yaml``."""

    fixed_share_scale: Annotated[Figure, between(0, 20)]
    """Multiplies every service's shared fixed part, keeping its cost at the reference volume (1: the
    catalogue as calibrated; 0: no shared fixed part, the case without a structural saving)."""
    transition_team_fte: Count
    """The entrant's migration: a project team of this many fte …"""
    transition_team_months: Count
    """… for this many months, at ``fte_annual_cost_eur``."""
    transition_migration_eur_per_workstation: Money
    """Migrating identities, data and mail, per workstation of the entrant."""
    transition_network_eur: Money
    """Connecting the entrant's locations to the centre's network, once per entrant."""
    transition_training_eur_per_fte: Money
    """Training the entrant's staff on the centre's platform, per fte."""
    transition_phasing: Phasing
    """How the transition, the double running default excepted, spreads over the years from entry."""
    double_running_months: Count
    """Without a contract calendar in the nulmeting: months the entrant's contracts run on after entry …"""
    contract_share: Fraction
    """… over this share of its stand-alone cost that runs on contracts (licences, SaaS)."""
    stranded_book_value_share: Fraction
    """Without assets in the nulmeting: the entrant's remaining book value, as a share of its cost."""
    guarantee_share: Fraction
    """Salary and scale guarantees per affected fte a year, as a share of ``fte_annual_cost_eur`` …"""
    guarantee_years: Count
    """… for this many years from entry."""
    surplus_fte_share: Fraction
    """Boventalligheid: the share of the affected fte the centre does not need …"""
    surplus_years: Count
    """… paid for this many years from entry."""
    social_plan_eur_per_fte: Money
    """A sociaal plan, OR-advies and mobility support, once per affected fte."""
    friction_bearers: FrictionBearers = FrictionBearers()
    retained_fte: Count
    """The opdrachtgeversrol every member keeps at home (regie, informatieadvies, contract- and
    leveranciersmanagement): fte at a partner without inhabitants …"""
    retained_fte_per_100k_inhabitants: Count
    """… plus this many per 100,000 inhabitants (up to 100,000), at ``fte_annual_cost_eur``."""
    overhead_share: Fraction
    """The centre's overhead (management, housing, P&O, finance, procurement) on its direct cost."""
    capital_charge_share: Fraction
    """The centre's capital charge on the platform it built, as a share of its direct cost."""
    pricing: Literal["direct", "integral"]
    """What the centre charges the other members: its direct cost (the centre carries its overhead and
    capital charge itself), or its integral cost price (direct cost plus overhead and capital)."""
    level_effect_entrant: Annotated[Figure, between(-1, 1)]
    cost_growth_standalone: Annotated[Figure, between(-0.5, 0.5)]
    cost_growth_cooperation: Annotated[Figure, between(-0.5, 0.5)]
    inflation: Annotated[Figure, between(-0.5, 0.5)]
    volume_growth: Annotated[Figure, between(-0.5, 0.5)]
    transition_cost_bearer: Literal["entrant", "key"]
    exit_method: Literal["kb1985", "damage", "share"]
    """How a leaver settles (``costs.paths``): KB 1985 (declining contributions), the direct damage
    (ABRvS 2015), or the regeling's own ``exit_cost_share`` of the last annual share."""
    exit_bridging_years: Count
    exit_cost_share: Annotated[Figure, between(0, 5)]
    risk_reserve_share: Annotated[Figure, between(0, 1)]
    fourk_weights: FourKWeights | None = None
    coordination_annual_cost_eur_per_organisation: Money
    fte_annual_cost_eur: Money
    absence_rate: Annotated[Figure, between(0, 1, open_low=False)]
    key_role_min_fte: Count
    continuity_min_workstations: Count
    baseline_error_observed: Fraction
    """Measurement error of a nulmeting figure observed in the books (± share, in every sweep)."""
    baseline_error_estimated: Fraction
    """Measurement error of an estimated nulmeting figure."""
    personnel_share: Fraction
    """The personnel share of ICT cost, indexed by the wage index in the meerjarenraming."""
    wage_index: Annotated[Figure, between(-0.5, 0.5)]
    nominal_discount_rate: Annotated[Figure, between(-0.5, 0.5)]
    """The nominal rate of a publieke businesscase, for the NPV of the nominal budget."""


KEY_DRIVERS = ("workstations", "inhabitants", "fte", "applications", "equal", "own")
"""What a designed key may share a group of services by; ``own``: each service by its own cost driver
(price × quantity), ``equal``: the same amount per organisation (a vaste voet)."""


PRINCIPLES = ("equal_gain", "nucleolus", "shapley")
"""How a point inside an entrant's fee range is picked: the entry's gain split equally between the
entrant and the partners already in, or the entrant's nucleolus or Shapley share."""


class Terms(_Model):
    """What ``verkenning terms`` may propose: the drivers a key may use, the groups that keep theirs,
    the probability the entry terms must reach and the principle that picks an entry fee."""

    drivers: tuple[Literal["workstations", "inhabitants", "fte", "applications", "equal", "own"], ...] = (
        KEY_DRIVERS
    )
    keep: tuple[Id, ...] = ()
    """Service groups that keep today's key."""
    target: Annotated[float, Field(gt=0, lt=1)] = 0.9
    """The probability with which every partner must be better off inside an entrant's fee range."""
    principle: Literal["equal_gain", "nucleolus", "shapley"] = "equal_gain"


DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal", "discrete")


class Uncertainty(_Model):
    """A distribution for one scenario figure (or, with ``*``, for the same figure of every item).

    ``uniform`` (low, high); ``triangular`` (low, mode, high); ``normal`` (mean, sd; truncated to
    [low, high] when given); ``lognormal`` (median, sigma of the log); ``discrete`` (values, with
    weights). With ``factor: true`` a draw multiplies the figure instead of replacing it. A ``*``
    path describes the figure of the typical item: one draw moves every item's own value in
    proportion (the draw over the items' mean), so items keep what differs between them and the
    scenario's own values are the central case; ``each: true`` draws every item independently.
    """

    distribution: Literal["uniform", "triangular", "normal", "lognormal", "discrete"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    factor: bool = False
    each: bool = False
    """With a ``*`` path: an independent draw per item; without, one draw scales every item's own value."""
    label: Label = ""
    """How the report names it in Dutch, e.g. 'de schaalexponent'."""
    source: Prose = ""
    assumption: Prose = ""

    def support(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take (±inf where the distribution is unbounded)."""
        inf = math.inf
        if self.distribution == "discrete":
            return (min(self.values), max(self.values))
        if self.distribution == "lognormal":
            return (0.0, inf)
        low = -inf if self.low is None else self.low
        high = inf if self.high is None else self.high
        return (low, high)

    @model_validator(mode="after")
    def _complete(self) -> Uncertainty:
        for name in ("low", "high", "mode", "mean", "sd", "median", "sigma", "values", "weights"):
            given = getattr(self, name)
            numbers = given if isinstance(given, tuple) else () if given is None else (given,)
            if not all(math.isfinite(x) for x in numbers):
                raise fail(f"{name} must be a finite number, got {show(given)}", f"give a finite {name}")
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
            "discrete": ("values",),
        }[self.distribution]
        missing = [name for name in need if getattr(self, name) in (None, ())]
        if missing:
            raise fail(
                f"a {self.distribution} distribution needs {', '.join(need)}; missing {', '.join(missing)}",
                f"add {', '.join(f'{m}: ...' for m in missing)}",
            )
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise fail(f"low ({self.low:g}) must be below high ({self.high:g})", "swap or correct them")
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:
            raise fail(f"mode {self.mode:g} must lie between low and high", "correct the mode")
        if (self.sd is not None and self.sd <= 0) or (self.sigma is not None and self.sigma <= 0):
            raise fail("the spread (sd or sigma) must be above zero", "give a positive spread")
        if self.distribution == "lognormal" and self.median <= 0:
            raise fail("a lognormal median must be above zero", "give a positive median")
        if self.weights and (
            len(self.weights) != len(self.values) or min(self.weights) < 0 or sum(self.weights) <= 0
        ):
            raise fail(
                "weights must be one non-negative number per value, not all zero", "correct the weights"
            )
        return self


PAIR = " ~ "
"""How a correlation names its two figures: ``parameters.a ~ parameters.b``."""


class Correlation(_Model):
    """The rank correlation (Spearman) between two uncertain figures, with its pedigree."""

    rank: Annotated[float, Field(ge=-1.0, le=1.0)]
    source: Prose = ""
    assumption: Prose = ""

    @model_validator(mode="after")
    def _pedigree(self) -> Correlation:
        if not (self.source.strip() or self.assumption.strip()):
            raise fail(
                "a correlation needs its `source` or its `assumption`",
                'add `assumption: "why these move together"`',
            )
        return self


def _check_pairs(value: dict) -> dict:
    for key in value:
        parts = key.split(PAIR)
        if len(parts) != 2 or not all(p.strip() for p in parts) or parts[0].strip() == parts[1].strip():
            raise fail(
                f"{key!r} is not a pair of two figures",
                "write `parameters.a ~ parameters.b: {rank: 0.8, assumption: ...}`",
            )
    return value


class Scenario(_Model):
    """A validated scenario: the cooperation, its catalogue and parameters. Frozen."""

    name: Text
    question: Question
    base_year: Year
    horizon_years: Annotated[Figure, between(1, 50), AfterValidator(_check_whole)]
    discount_rate: DiscountRate
    centre: Id
    partners: tuple[Partner, ...] = Field(min_length=1)
    services: tuple[Service, ...] = Field(min_length=1)
    packages: tuple[Package, ...] = ()
    parameters: Parameters
    terms: Terms = Terms()
    fixed_shares: dict[Id, Annotated[float, Field(gt=0, le=100)]] = Field(default_factory=dict)
    """A key of fixed percentages agreed at the start (e.g. Werkorganisatie BUCH 2017): partner →
    percent, adding up to 100. A member it does not name (an entrant) pays by the scenario's key; the
    named members present share the rest by their percentages (``costs`` method ``fixed``)."""
    uncertainties: dict[str, Uncertainty | None] = Field(default_factory=dict)
    correlations: Annotated[dict[str, Correlation | None], AfterValidator(_check_pairs)] = Field(
        default_factory=dict
    )
    """``a ~ b`` → the rank correlation of two uncertainties' draws (``null`` switches one off)."""
    """Figure path → distribution; ``null`` switches off an uncertainty the defaults declare."""

    _files: tuple[str, ...] = PrivateAttr(default=())
    _paths: tuple[Path, ...] = PrivateAttr(default=())
    _digests: tuple[str, ...] = PrivateAttr(default=())
    _status_quo: tuple[str, dict[str, tuple[str, ...]]] = PrivateAttr(default=("", {}))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], origin: str = "<code>") -> Scenario:
        """A validated scenario from a plain mapping on top of the defaults (``scenario_from_mapping``)."""
        from . import scenario_from_mapping

        return scenario_from_mapping(data, origin)

    def derive(self, **update: Any) -> Scenario:
        """A variant of this scenario with some fields replaced, read from the same files (for what-ifs
        in code: other entry years, other figures). The caller keeps the values valid."""
        variant = self.model_copy(update=update)
        variant._files, variant._paths, variant._digests = self._files, self._paths, self._digests
        variant._status_quo = self._status_quo
        return variant

    @property
    def files(self) -> tuple[str, ...]:
        """The files this scenario was read from: itself first, then what it extends, then defaults."""
        return self._files

    @property
    def paths(self) -> tuple[Path, ...]:
        """The same files as ``files``, as absolute paths."""
        return self._paths

    @property
    def digests(self) -> tuple[str, ...]:
        """SHA-256 of each file in ``files``, as read when the scenario was loaded."""
        return self._digests

    @property
    def recorded_files(self) -> tuple[str, ...]:
        """The same files as results record them, the same from any working folder: the scenario's
        own by its name, what it extends relative to its folder, the package's defaults as
        ``verkenning/<path in the package>``."""
        if not self._paths:
            return self._files
        root, package = self._paths[0].parent, Path(__file__).resolve().parent.parent
        recorded = []
        for path in self._paths:
            if path.is_relative_to(package):
                recorded.append("verkenning/" + path.relative_to(package).as_posix())
            else:
                recorded.append(Path(os.path.relpath(path, root)).as_posix())
        return tuple(recorded)

    @property
    def status_quo(self) -> tuple[str, dict[str, tuple[str, ...]]]:
        """The named alternative: its name, and the services each of its members takes.

        It is the root of the ``extends`` chain (today's cooperation, ``basis.yaml``), or, for a
        file that extends nothing, this scenario without its entrants. Partners outside it are on
        their own; services a member takes here beyond what it takes there, it buys on its own.
        """
        return self._status_quo

    @property
    def end_year(self) -> int:
        """The last year of the horizon (``horizon_years`` years from ``base_year``, both counted)."""
        return self.base_year + int(self.horizon_years) - 1

    @property
    def years(self) -> tuple[int, ...]:
        """Every year of the horizon, in order."""
        return tuple(range(self.base_year, self.end_year + 1))

    def partner(self, partner_id: str) -> Partner:
        """The partner with this id; an unknown id names the valid ones."""
        found = next((p for p in self.partners if p.id == partner_id), None)
        if found is None:
            valid = ", ".join(p.id for p in self.partners)
            raise VerkenningError(f"unknown partner {partner_id!r}; the partners are {valid}")
        return found

    def service(self, service_id: str) -> Service:
        """The service with this id; an unknown id names the valid ones."""
        found = next((s for s in self.services if s.id == service_id), None)
        if found is None:
            valid = ", ".join(sorted(s.id for s in self.services))
            raise VerkenningError(f"unknown service {service_id!r}; the services are {valid}")
        return found

    def closure(self, service_ids) -> tuple[str, ...]:
        """The services in ``service_ids`` and everything they depend on, directly or not, sorted.

        Taking a service pulls in what it depends on (taking WP pulls in NET, HOST, IAM and SD).
        """
        depends = {s.id: s.depends_on for s in self.services}
        found: set[str] = set()
        todo = list(service_ids)
        while todo:
            service_id = todo.pop()
            if service_id not in found:
                found.add(service_id)
                todo.extend(depends.get(service_id, ()))
        return tuple(sorted(found))

    def taken_by(self, partner: Partner | str) -> tuple[str, ...]:
        """Everything a partner effectively takes: its services and packages with their dependencies."""
        return self.closure(self.services_of(partner))

    def services_of(self, partner: Partner | str) -> tuple[str, ...]:
        """The service ids a partner takes directly (packages expanded), sorted; not the closure."""
        partner = self.partner(partner) if isinstance(partner, str) else partner
        return self.expand(partner.services)

    def expand(self, refs: tuple[str, ...]) -> tuple[str, ...]:
        """Service ids and package names as the sorted service ids they stand for."""
        ids: set[str] = set()
        for ref in refs:
            in_package = [s.id for s in self.services if s.package == ref]
            ids.update(in_package if in_package else [ref])
        return tuple(sorted(ids))

    def members(self, year: int) -> tuple[str, ...]:
        """Ids of the partners that are members in ``year`` (joined on or before, not yet left)."""
        return tuple(
            p.id
            for p in self.partners
            if (p.joins is None or p.joins <= year) and (p.leaves is None or year < p.leaves)
        )

    def entrants(self) -> tuple[str, ...]:
        """Ids of the partners that join during the horizon."""
        return tuple(p.id for p in self.partners if p.joins is not None)

    def reference_year(self) -> int:
        """The year a study shows: the first after the last entry's transition phasing (every
        entrant in and its transition paid), within the horizon; else the base year."""
        joins = [p.joins for p in self.partners if p.joins is not None]
        phased = len(self.parameters.transition_phasing.shares)
        return min(max(joins) + phased, self.end_year) if joins else self.base_year
