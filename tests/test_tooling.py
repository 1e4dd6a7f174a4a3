"""The project's own tooling: pinned dependencies and hooks that need no network."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

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
