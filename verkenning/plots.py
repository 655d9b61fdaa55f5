"""Figures for the reports: Dutch labels, units on every axis, colour-blind-safe, one colour per partner.

Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot state, no GUI backend); the
report embeds them (``report.html.figure_html``) as PNG data URIs, so a report is a single file
that reads offline. The palette is
Okabe and Ito's (2008) colour-blind-safe set; a partner keeps its colour throughout a report
because colours follow the order of the partners in the scenario. PNGs carry no timestamp or
version metadata, so the same scenario renders the same bytes.

Text from a scenario (names, labels) is drawn literally (a ``$`` is a dollar sign, never
matplotlib's mathtext) and shortened to :data:`LABEL_WIDTH` characters, so whatever ``check``
accepts draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .formats import euro, number, percent

__all__ = [
    "PALETTE",
    "allocation_figure",
    "centre_figure",
    "cost_figure",
    "fee_figure",
    "fourk_figure",
    "partner_colours",
    "room_figure",
    "s_curve_figure",
    "service_graph_figure",
    "tornado_figure",
]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe and Ito (2008), 'Color Universal Design', colour-blind-safe."""
PACKAGE_COLOURS = {"basis": "#56B4E9", "plus": "#E69F00", "im": "#009E73"}
EURO_AXIS = FuncFormatter(lambda value, _: euro(value))
EURO_TICKS = 6
"""At most this many euro ticks along a horizontal axis: "€ 1.200.000" is wide, and more overlap."""
LABEL_WIDTH = 40


def _euro_x(ax) -> None:
    """Euros along the horizontal axis, few enough ticks that their labels never touch."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=EURO_TICKS, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(EURO_AXIS)


def _label(text: str) -> str:
    """Scenario text as a literal, short label: ``$`` escaped (no mathtext), ellipsis beyond the width."""
    text = str(text)
    short = text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"
    return short.replace("$", r"\$")


def _labels(texts) -> list[str]:
    return [_label(t) for t in texts]


def partner_colours(partners: Sequence[str]) -> dict[str, str]:
    """A fixed colour per partner, by its position in the scenario (hatching beyond eight)."""
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(partners)}


def _figure(width: float = 8.0, height: float = 4.2, panels: bool = False) -> Figure:
    """A figure of ``width`` × ``height`` inches. Only a figure of several ``panels`` gets
    constrained layout (its panels' labels must not run into each other); a figure of one panel is
    cropped to what it draws when it is saved (``report.html.figure_html``), which already leaves room
    for its labels and a legend beside it, and costs one layout pass less."""
    return Figure(figsize=(width, height), layout="constrained" if panels else None)


def service_graph_figure(scenario, depths: dict[str, int], taken: set[str]) -> Figure:
    """The service catalogue in layers (a service sits right of what it depends on)."""
    from .graph import service_graph

    graph = service_graph(scenario)
    figure = _figure(9, 4.6)
    ax = figure.add_subplot()
    columns: dict[int, list[str]] = {}
    for node in sorted(graph.nodes):
        columns.setdefault(depths[node], []).append(node)
    position = {}
    for depth, nodes in columns.items():
        for row, node in enumerate(nodes):
            position[node] = (depth, -(row - (len(nodes) - 1) / 2))
    for source, target in sorted(graph.edges):
        (x1, y1), (x2, y2) = position[source], position[target]
        ax.annotate(
            "",
            xy=(x2 + 0.12, y2),
            xytext=(x1 - 0.12, y1),
            arrowprops={"arrowstyle": "->", "color": "#999999", "lw": 0.8},
        )
    for node, (x, y) in position.items():
        package = graph.nodes[node]["package"]
        ax.scatter(
            [x],
            [y],
            s=900,
            color=PACKAGE_COLOURS.get(package, "#cccccc"),
            edgecolor="black" if node in taken else "#bbbbbb",
            linewidth=1.4 if node in taken else 0.6,
            zorder=3,
        )
        ax.text(x, y, _label(node), ha="center", va="center", fontsize=8, zorder=4)
    for package, colour in PACKAGE_COLOURS.items():
        ax.scatter([], [], s=80, color=colour, label=f"pakket {package}")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title("Afhankelijkheden tussen diensten (pijl: dienst heeft nodig)")
    ax.set_xlabel("laag (0 = fundament)")
    ax.set_yticks([])
    ax.set_xticks(sorted(columns))
    for spine in ("top", "right", "left"):
        ax.spines[spine].set_visible(False)
    return figure


def cost_figure(
    partners: Sequence[str], names: Sequence[str], standalone, status_quo, new, year: int
) -> Figure:
    """Per partner: stand-alone, status quo and new annual cost."""
    figure = _figure()
    ax = figure.add_subplot()
    x = np.arange(len(partners))
    width = 0.27
    ax.bar(x - width, standalone, width, label="Zelfstandig", color="#bbbbbb")
    ax.bar(x, status_quo, width, label="Huidige situatie", color="#56B4E9")
    ax.bar(x + width, new, width, label="Na de wijziging", color="#0072B2")
    ax.set_xticks(x, _labels(names), rotation=20, ha="right")
    ax.yaxis.set_major_formatter(EURO_AXIS)
    ax.set_ylabel("euro per jaar")
    ax.set_title(f"Jaarlijkse kosten per deelnemer in {year} (prijzen van het basisjaar)")
    ax.legend(frameon=False)
    return figure


def allocation_figure(
    partners: Sequence[str],
    names: Sequence[str],
    shares: dict[str, Sequence[float]],
    year: int,
    method_names: dict[str, str],
) -> Figure:
    """The share of every partner under every method (named by ``method_names``), side by side."""
    figure = _figure(9, 4.4)
    ax = figure.add_subplot()
    colours = partner_colours(partners)
    methods = list(shares)
    x = np.arange(len(methods))
    width = 0.8 / max(len(partners), 1)
    for i, (partner, name) in enumerate(zip(partners, names, strict=True)):
        values = [shares[m][i] for m in methods]
        ax.bar(x - 0.4 + width * (i + 0.5), values, width, label=_label(name), color=colours[partner])
    ax.set_xticks(x, _labels(method_names.get(m, m) for m in methods), rotation=15, ha="right")
    ax.yaxis.set_major_formatter(EURO_AXIS)
    ax.set_ylabel("bijdrage in euro per jaar")
    ax.set_title(f"Bijdrage per deelnemer onder elke verdeling ({year})")
    ax.legend(frameon=False, fontsize=8, ncols=2)
    return figure


def fourk_figure(
    partners: Sequence[str],
    names: Sequence[str],
    panels: dict[str, tuple[str, Sequence[float], Sequence[float]]],
) -> Figure:
    """Four panels, one per K: before (light) and after (solid) per partner."""
    figure = _figure(10, 6.2, panels=True)
    axes = figure.subplots(2, 2)
    colours = partner_colours(partners)
    x = np.arange(len(partners))
    for ax, (title, (unit, before, after)) in zip(axes.ravel(), panels.items(), strict=False):
        for i, partner in enumerate(partners):
            ax.bar(x[i] - 0.2, before[i], 0.4, color=colours[partner], alpha=0.35)
            ax.bar(x[i] + 0.2, after[i], 0.4, color=colours[partner])
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xticks(x, _labels(names), rotation=30, ha="right", fontsize=7)
        if unit == "kans":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: percent(v, 0)))
            ax.set_ylim(0, 1)
        elif "euro" in unit:
            ax.yaxis.set_major_formatter(EURO_AXIS)
        else:  # a count of roles: whole numbers only
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle("De vier K's per deelnemer: licht = huidige situatie, donker = na de wijziging")
    return figure


def centre_figure(
    years: Sequence[int],
    series: dict[str, Sequence[float]],
    partners: Sequence[str],
    names: dict[str, str],
    centre: str,
) -> Figure:
    """Annual cost of every partner along the path; the centre drawn thickest."""
    figure = _figure(9, 4.2)
    ax = figure.add_subplot()
    colours = partner_colours(partners)
    for partner in partners:
        if partner not in series:
            continue
        values = series[partner]
        ax.plot(
            years,
            values,
            color=colours[partner],
            lw=3 if partner == centre else 1.5,
            marker="o",
            ms=3,
            label=_label(names[partner]),
        )
    ax.yaxis.set_major_formatter(EURO_AXIS)
    ax.set_ylabel("euro per jaar (prijzen basisjaar)")
    ax.set_xlabel("jaar")
    ax.set_title("Jaarlijkse kosten per deelnemer langs het groeipad")
    ax.legend(frameon=False, fontsize=8, ncols=2)
    return figure


def fee_figure(rows: Sequence[tuple[str, float, float, float, float, float]]) -> Figure:
    """Per entrant: from what it adds to what it pays alone (light), the core range (dark), the key (dot)."""
    figure = _figure(8, 1.2 + 0.7 * len(rows))
    ax = figure.add_subplot()
    for y, (_, marginal, standalone, low, high, key) in enumerate(rows):
        ax.plot([marginal, standalone], [y, y], color="#bbbbbb", lw=10, solid_capstyle="butt")
        ax.plot([low, high], [y, y], color="#0072B2", lw=10, solid_capstyle="butt")
        ax.plot([key], [y], "o", color="#D55E00", ms=9)
    ax.set_yticks(range(len(rows)), _labels(r[0] for r in rows))
    _euro_x(ax)
    ax.set_xlabel("jaarlijkse bijdrage in euro")
    ax.set_title(
        "Bandbreedte van de bijdrage: grijs = van meerkosten tot zelfstandig, blauw = kern, oranje = sleutel"
    )
    ax.set_ylim(-0.8, len(rows) - 0.2)
    return figure


def room_figure(
    grid: np.ndarray,
    series: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
    probability: np.ndarray,
    room: tuple[float, float] | None,
    points: Sequence[tuple[str, float]],
    core: tuple[float, float] | None = None,
) -> Figure:
    """The negotiation room of one entrant: its contribution on the x-axis, each partner's expected
    gain with its 5–95% band, the chance that every partner gains (right axis), the room at the
    target shaded, the core's range at the scenario's values as a bar along the axis and the
    principles' points marked."""
    figure = _figure(8.5, 4.8)
    ax = figure.add_subplot()
    for (label, mean, low, high), colour in zip(series, PALETTE, strict=False):
        ax.fill_between(grid, low, high, color=colour, alpha=0.15, lw=0)
        ax.plot(grid, mean, color=colour, lw=1.8, label=label)
    ax.axhline(0, color="black", lw=0.8)
    if room is not None:
        ax.axvspan(
            room[0],
            room[1],
            color="#009E73",
            alpha=0.12,
            lw=0,
            label="ruimte: iedereen voordeel met de doelkans",
        )
    if core is not None:
        ax.axvspan(core[0], core[1], ymin=0, ymax=0.03, color="#0072B2", lw=0, label="kern (scenariowaarden)")
    bottom, top = ax.get_ylim()
    for (label, y), marker in zip(points, ("v", "s", "D"), strict=False):
        ax.axvline(y, color="#555555", lw=0.8, ls=":")
        ax.plot([y], [top], marker, color="#555555", ms=7, clip_on=False, label=label)
    ax.set_ylim(bottom, top)
    _euro_x(ax)
    ax.yaxis.set_major_formatter(EURO_AXIS)
    ax.set_xlabel("jaarlijkse bijdrage van de toetreder")
    ax.set_ylabel("voordeel per jaar (gemiddeld, band 5–95%)")
    right = ax.twinx()
    right.plot(grid, probability, color="black", lw=1.2, ls="--", label="kans dat iedereen voordeel heeft")
    right.set_ylim(0, 1)
    right.yaxis.set_major_formatter(FuncFormatter(lambda v, _: percent(v, 0)))
    handles = ax.get_legend_handles_labels()
    extra = right.get_legend_handles_labels()
    ax.legend(
        handles[0] + extra[0], handles[1] + extra[1], fontsize=7, loc="upper left", bbox_to_anchor=(1.08, 1)
    )
    ax.set_title("Onderhandelingsruimte van de toetreder", fontsize=10)
    return figure


def tornado_figure(
    labels: Sequence[str], low: Sequence[float], high: Sequence[float], base: float, outcome: str
) -> Figure:
    """One bar per uncertainty from its 5% to its 95% quantile's effect, widest on top."""
    figure = _figure(8.5, 1.0 + 0.45 * len(labels))
    ax = figure.add_subplot()
    y = np.arange(len(labels))[::-1]
    for yy, lo, hi in zip(y, low, high, strict=True):
        ax.barh(yy, lo - base, left=base, color="#56B4E9", height=0.6)
        ax.barh(yy, hi - base, left=base, color="#E69F00", height=0.6)
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y, _labels(labels), fontsize=8)
    _euro_x(ax)
    ax.set_xlabel(outcome)
    ax.set_title(
        "Gevoeligheid: blauw = laag (5%), oranje = hoog (95%), de rest op de scenariowaarde", fontsize=10
    )
    return figure


def s_curve_figure(series: Sequence[tuple[str, np.ndarray]], colours: Sequence[str], outcome: str) -> Figure:
    """Per partner, in a panel of its own scale, the cumulative distribution of ``outcome`` over the
    samples (an S-curve) with zero marked: where the curve crosses zero is its chance of a loss."""
    columns = min(3, len(series))
    rows = -(-len(series) // columns)
    figure = _figure(8.5, 0.6 + 2.3 * rows, panels=True)
    for i, ((name, values), colour) in enumerate(zip(series, colours, strict=True)):
        ax = figure.add_subplot(rows, columns, i + 1)
        ordered = np.sort(np.asarray(values, dtype=float))
        share = np.arange(1, len(ordered) + 1) / len(ordered)
        ax.step(ordered, share, where="post", color=colour, lw=1.5)
        ax.axvline(0.0, color="black", lw=1)
        loss = float(np.mean(ordered < 0))
        ax.set_title(f"{_label(name)}\nkans op verlies {percent(loss, 0)}", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: number(value / 1000)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: percent(value, 0)))
        ax.tick_params(labelsize=7)
        ax.set_ylim(0, 1)
    figure.supxlabel(f"{outcome}, in duizenden euro's", fontsize=9)
    figure.supylabel("Aandeel van de trekkingen (cumulatief)", fontsize=9)
    return figure
