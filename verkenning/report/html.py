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

    Within :func:`section_with_figures` the PNG is drawn by a forked copy of this process while the
    section goes on, and the figure stands as a placeholder until the section is done."""
    figures = _ASIDE.get()
    if figures is not None:
        return figures.submit(figure, alt, caption)
    return _figure_tag(_png(figure), alt, caption)


def section_with_figures(build, *args) -> Markup:
    """``build(*args)``, a section, with its figures drawn beside it (``verkenning.aside``): each in a
    forked child, on the other core, while the section computes on (on the growth path of 12
    organisations the report job waited 1.6 s for its 15 figures, half of it while its next numbers
    could be computed). A figure whose child fails or warns is drawn again here."""
    if not aside.available():
        return build(*args)
    figures = _Aside()
    try:
        handle = _ASIDE.set(figures)
        try:
            fragment = build(*args)
        finally:
            _ASIDE.reset(handle)
        return figures.resolve(fragment)
    finally:
        figures.discard()  # a section that failed or was interrupted leaves no child behind


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _figure_tag(png: bytes, alt: str, caption: str) -> Markup:
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption class='noot'>{text(caption)}</figcaption>" if caption else ""
    return Markup(f'<figure><img alt="{text(alt)}" src="data:image/png;base64,{data}">{cap}</figure>')


class _Aside:
    """A section's figures being drawn in children: placeholder → (drawing, figure, alt, caption)."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple] = {}

    def submit(self, figure, alt: str, caption: str) -> Markup:
        token = f"<!--figuur {len(self.pending)}-->"
        self.pending[token] = (aside.Deferred(lambda: _png(figure)), figure, alt, caption)
        return Markup(token)

    def resolve(self, fragment: str) -> Markup:
        """The section with each placeholder replaced by its figure (waiting for the children)."""
        while self.pending:
            token = next(iter(self.pending))
            drawing, figure, alt, caption = self.pending.pop(token)
            png = drawing.result(lambda figure=figure: _png(figure))
            fragment = fragment.replace(token, _figure_tag(png, alt, caption), 1)
        return Markup(fragment)

    def discard(self) -> None:
        for drawing, *_ in self.pending.values():
            drawing.cancel()
        self.pending.clear()


_ASIDE: ContextVar[_Aside | None] = ContextVar("figures_aside", default=None)


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
