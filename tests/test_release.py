"""A release is one version in three places: the package, the changelog and the git tag."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from service.version import VERSION

ROOT = Path(__file__).resolve().parents[1]
RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def released() -> dict[str, str]:
    """Every release the changelog records: version -> date, newest first."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return dict(RELEASE_HEADING.findall(changelog))


def test_the_changelog_releases_the_packaged_version() -> None:
    """The newest release in CHANGELOG.md is the package's version, with a real date."""
    releases = released()
    assert releases, "CHANGELOG.md records no release (## [x.y.z] - YYYY-MM-DD)"
    newest, date = next(iter(releases.items()))
    assert newest == VERSION
    datetime.date.fromisoformat(date)


def git(*arguments: str) -> str:
    result = subprocess.run(
        ["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    return result.stdout.strip() if result.returncode == 0 else ""


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
def test_release_tags_name_released_versions() -> None:
    """A tag v<version> on this commit is the package's version; every v-tag is a release."""
    at_head = [tag for tag in git("tag", "--points-at", "HEAD").split() if tag.startswith("v")]
    assert all(tag == f"v{VERSION}" for tag in at_head), (at_head, VERSION)
    releases = released()
    for tag in git("tag", "--list", "v*").split():
        assert tag.removeprefix("v") in releases, f"{tag} has no section in CHANGELOG.md"
