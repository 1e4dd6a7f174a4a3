"""`python -m service.dataset` lets an editor check the dataset before committing."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.dataset.__main__ import main


def test_valid_dataset_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped dataset is reported valid, with its counts, and exits 0."""
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "8 readings" in out


def test_invalid_dataset_prints_the_mistake(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken copy is reported with file, entry and field, and exits 1."""
    text = (data_dir / "omens.yaml").read_text(encoding="utf-8")
    (data_dir / "omens.yaml").write_text(
        text.replace("sentiment: good", "sentiment: splendid", 1), encoding="utf-8"
    )
    assert main([str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("invalid dataset: data/omens.yaml: entry '")
    assert "field 'sentiment': Must be one of: good, bad, neutral, mixed." in err
