"""The command line: ``verkenning check | new | allocate | costs | scorecard | run | compare | explore |
verken | baseline``.

Each command translates; the library acts.

Bad input (a :class:`~verkenning.errors.VerkenningError`) is printed as the error's own message on
standard error with exit code 2, never as a traceback; a run or sweep that fails for another reason
(:class:`~verkenning.errors.Failed`) exits with 1, an interrupted one with 130. Heavy modules are
imported inside the commands that need them, so that start-up stays light.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from .errors import Failed, VerkenningError

__all__ = ["app", "main"]

app = typer.Typer(
    help="Strategische verkenning of a shared public IT cooperation: who joins, on what terms, and "
    "what each partner gains or risks.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_FAILED = 1
"""A run or a sweep that failed (a notebook cell, a lost worker); the message says where."""
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
LONG_S = 10
"""A sweep estimated to take longer than this says so before it starts."""


baseline_app = typer.Typer(
    help="The nulmeting in Excel: a template to fill in, and reading it back into a scenario.",
    no_args_is_help=True,
)
app.add_typer(baseline_app, name="baseline")


def _command(function: Callable, on: typer.Typer = app, name: str | None = None) -> Callable:
    """Register a command whose bad input ends in its message and exit code 2, not a traceback."""

    @functools.wraps(function)
    def reporting_bad_input(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except VerkenningError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except Failed as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(EXIT_FAILED) from None

    return on.command(name)(reporting_bad_input)


@_command
def check(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to validate.")],
    detail: Annotated[
        bool, typer.Option("--detail", help="Also print partners, services and weak points.")
    ] = False,
) -> None:
    """Validate scenario files: one summary line per good file, every problem of a bad one."""
    from .console import describe, one_line
    from .errors import ScenarioError
    from .scenario import load_scenario

    failed = 0
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            failed += 1
            typer.echo(f"{path}: {len(error.problems)} problem(s)", err=True)
            typer.echo(str(error), err=True)
            continue
        typer.echo(f"{path}: ok — {one_line(scenario)}")
        if detail:
            typer.echo(describe(scenario))
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@_command
def new(
    file: Annotated[Path | None, typer.Argument(help="The scenario file to write.")] = None,
    entrant: Annotated[
        str | None, typer.Option(help="Id of a library organisation joining (see --list).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name of any other organisation joining (with --kind and figures).")
    ] = None,
    kind: Annotated[str, typer.Option(help="With --name: municipality, public_body or other.")] = "other",
    inhabitants: Annotated[float | None, typer.Option(help="With --name: inhabitants.", min=0)] = None,
    fte: Annotated[float | None, typer.Option(help="With --name: staff in fte.", min=0)] = None,
    workstations: Annotated[
        float | None, typer.Option(help="With --name: workstations (default 1.2 × fte).", min=0)
    ] = None,
    applications: Annotated[
        float | None, typer.Option(help="With --name: applications (default 0.3 × workstations).", min=0)
    ] = None,
    id: Annotated[
        str | None, typer.Option("--id", help="With --name: its id (default from the name).")
    ] = None,
    extends: Annotated[Path, typer.Option(help="The base scenario to build on.")] = Path(
        "scenarios/basis.yaml"
    ),
    joins: Annotated[
        int | None, typer.Option(help="Year of entry; default the year after the base year.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    list_: Annotated[
        bool, typer.Option("--list", help="List the library's organisations (their ids) and stop.")
    ] = False,
) -> None:
    """Write a short, commented entrant study on top of a base scenario: a library organisation
    (--entrant ID) or any other (--name "…" --kind … --fte …, defaults derived and marked)."""
    from .files import output_file
    from .scenario.template import described, library_lines, write_entrant_study

    if list_:
        typer.echo("\n".join(library_lines()))
        return
    if file is None:
        raise typer.BadParameter("name the scenario file to write", param_hint="FILE")
    if (entrant is None) == (name is None):
        raise typer.BadParameter(
            "give --entrant ID (a library organisation; see --list) or --name NAME (any other), not both",
            param_hint="--entrant / --name",
        )
    if name is None:
        options = {"--inhabitants": inhabitants, "--fte": fte, "--id": id}
        options.update({"--workstations": workstations, "--applications": applications})
        given = [option for option, value in options.items() if value is not None]
        if given or kind != "other":
            raise typer.BadParameter(
                f"{', '.join(given or ['--kind'])} describe(s) an organisation given by --name; "
                "a library organisation brings its own figures",
                param_hint="--entrant",
            )
    output_file(file, "FILE", overwrite=force)
    who = (
        entrant
        if name is None
        else described(file, name, kind, inhabitants, fte, workstations, applications, id)
    )
    write_entrant_study(file, who, base=extends, joins=joins, overwrite=force)
    typer.echo(f"wrote {file}: check it with `verkenning check {file}`")


@_command
def allocate(
    game: Annotated[
        Path,
        typer.Argument(help="A game file: JSON {players, kind, values} or CSV [# kind: …] coalition,value."),
    ],
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            "-m",
            help="A rule to compute (repeatable): shapley, nucleolus, prenucleolus, scrb, tau, equal_split, "
            "proportional, least_core, shapley_sampled; default every rule but the last two.",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="cost or value, for a file that does not say (a file that does must agree)."),
    ] = None,
    split: Annotated[
        Path | None,
        typer.Option(
            help="A proposed allocation (JSON {player: share} or CSV player,share) to check against the core."
        ),
    ] = None,
    fee_range: Annotated[
        list[str] | None,
        typer.Option("--fee-range", help="A player whose fee range to compute (repeatable)."),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    samples: Annotated[int, typer.Option(help="Orders for the sampled Shapley value.", min=2)] = 2000,
    seed: Annotated[int, typer.Option(help="Seed for the sampled Shapley value.", min=0)] = 0,
) -> None:
    """Allocate the cost (or value) of a cooperative game by every rule, with the core check."""
    import json

    from .games import read_game
    from .games.io import read_split
    from .games.summary import format_table, json_safe, summarise

    if output not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--format")
    if kind not in (None, "cost", "value"):
        raise typer.BadParameter("choose cost or value", param_hint="--kind")
    game_file = read_game(game, kind)
    proposed = None if split is None else read_split(split, game_file.game)
    summary = summarise(game_file, method or (), fee_range or (), samples=samples, seed=seed, split=proposed)
    typer.echo(
        json.dumps(json_safe(summary), indent=2, ensure_ascii=False, allow_nan=False)
        if output == "json"
        else format_table(summary)
    )


@_command
def costs(
    scenario: Annotated[Path, typer.Argument(help="The scenario file.")],
    xlsx: Annotated[Path | None, typer.Option(help="Also write the tables to this Excel workbook.")] = None,
    output: Annotated[str, typer.Option("--format", help="table, or json for tools.")] = "table",
) -> None:
    """Per partner: stand-alone, current and new annual cost, and the NPV of the saving."""
    import json

    from .console import cost_summary
    from .costs.tables import summary_data
    from .study import Study

    if output not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--format")
    if xlsx is not None:
        from .files import output_file

        output_file(xlsx, "--xlsx")
    study = Study.load(scenario)
    if output == "json":
        typer.echo(json.dumps(summary_data(study.costs), indent=2, ensure_ascii=False))
    else:
        typer.echo(cost_summary(study.costs))
    if xlsx is not None:
        from .report.workbook import write_workbook

        typer.echo(f"wrote {write_workbook(study, xlsx)}", err=output == "json")


@_command
def scorecard(
    scenario: Annotated[Path, typer.Argument(help="The scenario file.")],
    method: Annotated[
        str, typer.Option(help="key, inhabitants, workstations, shapley, nucleolus or scrb.")
    ] = "key",
    coverage: Annotated[float, typer.Option(help="Coverage target of the staffing plan.")] = 0.95,
    budget: Annotated[float | None, typer.Option(help="Budget (euro per year) of the staffing plan.")] = None,
) -> None:
    """The 4K scorecard per partner, the verdicts on the conditions, and the optimal terms of entry."""
    from .console import scorecard_text, terms_text
    from .costs import METHODS
    from .study import Study

    if method not in METHODS:
        raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--method")
    study = Study.load(scenario)
    typer.echo(scorecard_text(study.scorecard(method), terms_text(study, coverage, budget)))


@_command
def terms(
    scenario: Annotated[Path, typer.Argument(help="The scenario file (its `terms:` and `uncertainties:`).")],
    samples: Annotated[
        int, typer.Option(help="Samples of the uncertainties the key is judged on.", min=2)
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the samples.", min=0)] = 0,
) -> None:
    """Propose the key a regeling can state that keeps every partner better off most often."""
    from .console import key_design_text
    from .study import Study

    typer.echo(key_design_text(Study.load(scenario, seed=seed, samples=samples)))


SAMPLES_HELP = "Draws of the uncertain inputs (sweep, key designer, entry terms); fewer for a quick draft."


def _report_run(scenarios: list[Path], notebook: str, out: Path, seed: int, pdf: bool, samples: int) -> None:
    from .report import RunInterrupted, run_study

    try:
        result = run_study(
            scenarios, notebook, out, seed=seed, pdf=pdf, progress=sys.stderr.isatty(), samples=samples
        )
    except RunInterrupted as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    for note in result.notes:
        typer.echo(note, err=True)
    if result.pdf:
        typer.echo(f"pdf: {result.pdf}")
    typer.echo(str(result.report))


@_command
def run(
    scenario: Annotated[Path, typer.Argument(help="The scenario file.")],
    notebook: Annotated[str, typer.Option(help="toetreding, vergelijking or groeipad.")] = "toetreding",
    out: Annotated[Path, typer.Option(help="Folder for the run folders.")] = Path("reports"),
    seed: Annotated[int, typer.Option(help="Seed for everything random.", min=0)] = 0,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print report.pdf with headless Chromium.")] = False,
    samples: Annotated[int, typer.Option(help=SAMPLES_HELP, min=100)] = 1000,
) -> None:
    """Render a study into a new run folder; the last line printed is the path of report.html."""
    _report_run([scenario], notebook, out, seed, pdf, samples)


@_command
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files.")],
    out: Annotated[Path, typer.Option(help="Folder for the run folders.")] = Path("reports"),
    seed: Annotated[int, typer.Option(help="Seed for everything random.", min=0)] = 0,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print report.pdf with headless Chromium.")] = False,
    samples: Annotated[int, typer.Option(help=SAMPLES_HELP, min=100)] = 1000,
) -> None:
    """Render the comparison of two or more scenarios (the vergelijking notebook)."""
    _report_run(scenarios, "vergelijking", out, seed, pdf, samples)


@_command
def explore(
    scenario: Annotated[
        Path, typer.Argument(help="The scenario file (its `uncertainties:` and the defaults').")
    ],
    samples: Annotated[int, typer.Option(help="Number of Latin hypercube samples.", min=2)] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the samples.", min=0)] = 0,
    workers: Annotated[
        int | None, typer.Option(help="Local processes (default: this process only).", min=1)
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="Address of a dask.distributed scheduler.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the run folders; the sweep is kept under it.")] = Path(
        "reports"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Run a sweep beyond the work, memory or file budget.")
    ] = False,
) -> None:
    """Monte Carlo over the uncertainties: P(win-win), sensitivity and where win-win fails."""
    from .console import exploration_summary, workload_text
    from .explore import exploration_folder, save_exploration, workload
    from .files import output_folder
    from .report import slug
    from .study import Study

    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers or --scheduler, not both", param_hint="--scheduler")
    study = Study.load(scenario, seed=seed)
    out = output_folder(out, "--out")
    work = workload(study.scenario, samples)
    if work.over_budget() and not force:
        raise VerkenningError(workload_text(scenario, work, refused=True))
    if work.seconds > LONG_S:
        typer.echo(workload_text(scenario, work, refused=False), err=True)
    result = study.explore(samples, workers=workers, scheduler=scheduler, progress=True)
    folder = exploration_folder(out / slug(scenario.stem), study.scenario, seed, samples)
    typer.echo(exploration_summary(result, save_exploration(result, folder)))


@_command
def verken(
    scenario: Annotated[Path, typer.Argument(help="The scenario file to explore in a workshop.")],
    port: Annotated[
        int | None, typer.Option(help="Local port (default 8866, or the next free one).", min=1, max=65535)
    ] = None,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in this machine's browser.")
    ] = False,
) -> None:
    """Serve the what-if of a scenario as a web page (Voilà, no code shown) until Ctrl-C."""
    from .report.serve import serve

    serve(scenario, port, open_browser=browser, say=lambda line: typer.echo(line, err=True))


def baseline_template(
    file: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    partner: Annotated[
        list[str], typer.Option("--partner", help="Id of an organisation of the library (repeatable).")
    ],
) -> None:
    """Write a nulmeting workbook to fill in: Dutch sheets, the partners' current figures prefilled."""
    from .files import output_file
    from .scenario.baseline import write_template

    output_file(file, "FILE", overwrite=False)
    typer.echo(f"wrote {write_template(file, partner)}")


def baseline_read(
    file: Annotated[Path, typer.Argument(help="A filled nulmeting workbook (.xlsx).")],
    into: Annotated[Path, typer.Option(help="The scenario file to write.")],
    extends: Annotated[Path, typer.Option(help="The scenario the new one builds on.")] = Path(
        "scenarios/borne.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite INTO if it exists.")] = False,
) -> None:
    """Read a filled nulmeting workbook into a scenario on top of another (nothing written on error)."""
    from .files import output_file
    from .scenario.baseline import write_scenario

    output_file(into, "--into", overwrite=force)
    typer.echo(f"wrote {write_scenario(file, into, extends, force)}: check it with `verkenning check {into}`")


_command(baseline_template, baseline_app, "template")
_command(baseline_read, baseline_app, "read")


def main() -> None:
    """Console entry point: run the app, turning bad input into exit code 2 without a traceback."""
    # verkenning uses no pydantic plugin, and looking for one reads the metadata of every installed
    # package (20 ms in a JupyterLab environment, a twentieth of `check`); set it to "" to look
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except VerkenningError as error:
        typer.echo(str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
