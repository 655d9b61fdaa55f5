"""What ships runs: the built wheel, installed into a fresh virtual environment away from the
checkout, renders the Borne study; the notebooks and schemas travel inside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import jsonschema
import pytest

from .conftest import ROOT, SCENARIOS


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(folder),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # a clean install prints nothing alarming: no setuptools deprecation banner (project.license, …)
    said = (built.stdout + built.stderr).lower()
    assert "deprecat" not in said and "!!" not in said, said[-2000:]
    return next(folder.glob("verkenning-*.whl"))


def test_the_wheel_carries_the_notebooks_data_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"verkenning/notebooks/{notebook.name}" in names
    assert {"verkenning/data/defaults.yaml", "verkenning/schemas/results.schema.json"} <= names
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "verkenning").rglob("__init__.py")}
    assert all(f"{package}/__init__.py" in names for package in packages), "every subpackage ships"


@pytest.mark.slow
def test_the_installed_wheel_renders_a_study_away_from_the_checkout(wheel, tmp_path):
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # the dependencies come from this environment's site-packages (no download); verkenning itself
    # only from the wheel: a path in a .pth file adds no editable finder of the checkout
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    for scenario in ("basis.yaml", "borne.yaml"):
        (work / scenario).write_text((SCENARIOS / scenario).read_text(encoding="utf-8"), encoding="utf-8")
    where = subprocess.run(
        [str(python), "-c", "import verkenning; print(verkenning.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(environment)), where.stdout + where.stderr
    # nbconvert's templates are data files of the dependencies' environment (share/jupyter)
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    done = subprocess.run(
        [str(python), "-m", "verkenning", "run", "borne.yaml", "--samples", "200", "--out", "reports"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = Path(done.stdout.strip().splitlines()[-1])
    report = report if report.is_absolute() else work / report
    assert report.is_file() and "Samenvatting" in report.read_text(encoding="utf-8")
    results = json.loads((report.parent / "results.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "verkenning" / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, schema)
    manifest = json.loads((report.parent / "manifest.json").read_text(encoding="utf-8"))
    dependencies = manifest["provenance"][0]["dependencies"]
    assert {"scipy", "tqdm", "nbformat", "numpy"} <= set(dependencies)
    assert all(dependencies.values()), "every runtime requirement has its installed version"
