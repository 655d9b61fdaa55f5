"""Small HTML building blocks for the reports: escaped text and tables, the page shell.

Every string that may come from a scenario file goes through :func:`text` (``html.escape``) before
it reaches a page; numbers come formatted the Dutch way from ``verkenning.formats``. The page shell is our
own, with its stylesheet inline, so a report is one file that reads offline and loads nothing.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from .. import aside
from ..formats import euro, fraction, number, percent, thousands

__all__ = ["euro", "figure_html", "fraction", "number", "page", "percent", "table", "text", "thousands"]


def text(value: object) -> str:
    """Any value as escaped HTML text."""
    return html.escape(str(value), quote=True)


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Sequence[bool] | None = None,
    caption: str = "",
    css: str = "",
) -> str:
    """An HTML table. Cells are escaped unless they are ``Markup`` (already safe HTML)."""
    numeric = list(numeric) if numeric is not None else [False] * len(header)
    head = "".join(
        f'<th class="{"num" if n else ""}">{text(h)}</th>' for h, n in zip(header, numeric, strict=True)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"num" if n else ""}">{cell if isinstance(cell, Markup) else text(cell)}</td>'
            for cell, n in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{text(caption)}</caption>" if caption else ""
    rows_html = "".join(body)
    return f'<table class="{text(css)}">{cap}<thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>'


class Markup(str):
    """A string that is already safe HTML (built here from escaped parts)."""


def figure_html(figure, alt: str, caption: str = "") -> Markup:
    """The figure as an embedded PNG with alternative text and a caption (both escaped).

    Within :func:`section_with_figures` the figure stands as a placeholder until the section is
    done, and is drawn then."""
    figures = _FIGURES.get()
    if figures is not None:
        return figures.add(figure, alt, caption)
    return _figure_tag(_png(figure), alt, caption)


def section_with_figures(build, *args) -> Markup:
    """``build(*args)``, a section, its figures drawn when it is done: every other one in a forked
    child (``verkenning.aside``) while this process draws the rest. The growth path of 12
    organisations has 8 room figures in one section, 0.17 s each; a child per figure, forked as it
    was made, cost the Borne report (one figure a section) 0.3 s of forks and copied pages."""
    figures = _Figures()
    handle = _FIGURES.set(figures)
    try:
        fragment = build(*args)
    finally:
        _FIGURES.reset(handle)
    return figures.drawn(fragment)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _figure_tag(png: bytes, alt: str, caption: str) -> Markup:
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption class='noot'>{text(caption)}</figcaption>" if caption else ""
    return Markup(f'<figure><img alt="{text(alt)}" src="data:image/png;base64,{data}">{cap}</figure>')


class _Figures:
    """A section's figures (figure, alt, caption), each standing as a numbered placeholder."""

    def __init__(self) -> None:
        self.figures: list[tuple] = []

    def add(self, figure, alt: str, caption: str) -> Markup:
        self.figures.append((figure, alt, caption))
        return Markup(f"<!--figuur {len(self.figures) - 1}-->")

    def drawn(self, fragment: str) -> Markup:
        """The section with each placeholder replaced by its figure: the odd ones drawn in a child
        (if there are two or more and the system can fork), the even ones here meanwhile; a child
        that fails or warns has its figures drawn here too, where the error or warning shows."""
        odd = [figure for figure, *_ in self.figures[1::2]]

        def draw_odd() -> list[bytes]:
            return [_png(figure) for figure in odd]

        child = aside.Deferred(draw_odd) if odd and aside.available() else None
        here = [i for i in range(len(self.figures)) if i % 2 == 0 or child is None]
        try:
            png = {i: _png(self.figures[i][0]) for i in here}
        except BaseException:  # failed or interrupted while drawing here: no child left behind
            if child is not None:
                child.cancel()
            raise
        if child is not None:
            png.update(zip(range(1, len(self.figures), 2), child.result(draw_odd), strict=True))
        for i, (_, alt, caption) in enumerate(self.figures):
            fragment = fragment.replace(f"<!--figuur {i}-->", _figure_tag(png[i], alt, caption), 1)
        return Markup(fragment)


_FIGURES: ContextVar[_Figures | None] = ContextVar("section_figures", default=None)


STYLE = """
body { font-family: "Segoe UI", Arial, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1.5rem;
       color: #1a1a1a; line-height: 1.5; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem; border-bottom: 2px solid #0072B2; }
h3 { margin-top: 1.6rem; } .vraag { font-size: 1.15rem; color: #333; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; display: block; overflow-x: auto; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #ccc; text-align: left; vertical-align: top; }
th { background: #eef3f8; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; } .anchor-link { display: none; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.pass { color: #006d3c; font-weight: 600; } .fail { color: #b3261e; font-weight: 600; }
.undetermined { color: #6b5a00; font-weight: 600; } .model_choice { color: #555; font-style: italic; }
.kader { background: #f5f7fa; border-left: 4px solid #0072B2; padding: .6rem 1rem; margin: 1rem 0; }
.noot { color: #555; font-size: .88rem; } img { max-width: 100%; height: auto; }
.jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt, .input, .prompt { display: none; }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; }
               table, img { break-inside: avoid; }
               table { display: table; overflow: visible; width: 100%; font-size: .74rem; }
               th, td { padding: .2rem .3rem; } td.num { white-space: normal; } }
"""


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")  # fmt: skip


def dutch_date(when) -> str:
    """1 december 2026."""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def _css_string(value: str) -> str:
    """``value`` as a CSS string literal (quotes, backslashes and line ends escaped; no '</')."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _paged(title: str, date: str) -> str:
    """Print rules: A4, and on every page the study and date in the footer with 'pagina X van Y'."""
    font = "font: 8pt Arial, sans-serif; color: #555;"
    left = f'{_css_string(title)} " · " {_css_string(date)}'
    right = '"pagina " counter(page) " van " counter(pages)'
    return (
        "@page { size: A4; margin: 16mm 14mm 18mm 14mm;"
        f" @bottom-left {{ content: {left}; {font} }} @bottom-right {{ content: {right}; {font} }} }}"
    )


def page(title: str, body: str, lang: str = "nl", date: str = "") -> str:
    """A complete HTML page around ``body`` (already safe HTML), with its stylesheet inline.

    ``date`` (a Dutch date) goes into the printed footer beside the title, with the page numbers.
    """
    style = STYLE + (_paged(title, date) if date else "")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
