"""The project's own tooling: pinned dependencies and hooks that need no network."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The normalised project name of a requirement such as ``limits[redis]>=5.8,<6``."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def test_constraints_pin_every_declared_dependency() -> None:
    """Every dependency pyproject.toml declares, dev tools included, has an exact pin."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _name(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    }
    pinned = {
        _name(line)
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert declared - pinned == set()


def test_pre_commit_hooks_are_all_local() -> None:
    """The pre-commit configuration fetches no hook repository from the network."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"] and {repo["repo"] for repo in config["repos"]} == {"local"}
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "check-yaml", "codespell", "dataset", "spec-drift"} <= hooks


@pytest.mark.slow
def test_make_run_installs_only_what_serving_needs(tmp_path: Path) -> None:
    """`make run` installs the package alone; only `make test` adds the dev extra."""

    def planned(target: str) -> str:
        venv = tmp_path / "venv"  # a virtualenv that does not exist: every step is planned
        result = subprocess.run(
            ["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run = planned("run")
    assert "-c constraints.txt -e .\n" in run
    assert "[dev]" not in run
    assert "-c constraints.txt -e '.[dev]'" in planned("test")


@pytest.mark.slow
def test_the_package_builds_without_deprecation_warnings(tmp_path: Path) -> None:
    """A wheel builds with no setuptools warning and states its licence in SPDX form."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "service", source / "service", ignore=shutil.ignore_patterns("__pycache__")
    )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(tmp_path / "wheels"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deprecat" not in (result.stdout + result.stderr).lower(), result.stderr
    (wheel,) = (tmp_path / "wheels").glob("twitchlore-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    assert "License-Expression: MIT" in metadata
    assert "License-File: LICENSE" in metadata
