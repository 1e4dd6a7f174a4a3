"""A belief's original wording: data quoted as its source gives it, served with the belief."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service import create_app
from service.dataset import load_dataset
from service.dataset.models import Original
from service.dataset.schemas import in_latin_script

from .helpers import TEST_SETTINGS, EditData

OTTOMAN = {
    "language": "ota",
    "text": "دوداق اويناسه",
    "transliteration": "dudak oynasa",
}


def _give_original(omen_id: str, original: dict[str, Any]) -> Any:
    def change(document: list[dict[str, Any]]) -> None:
        next(entry for entry in document if entry["id"] == omen_id)["original"] = original

    return change


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Dudak seğirmesi", True),
        ("Ağız oynarsa, 12 kere!", True),
        ("होंठ फड़कना", False),
        ("Губа чешется", False),
        ("دوداق", False),
        ("Dudak होंठ", False),
    ],
)
def test_latin_script_is_told_from_other_scripts(text: str, latin: bool) -> None:
    """Only text whose letters are all Latin (accented or not) counts as Latin script."""
    assert in_latin_script(text) is latin


def test_original_is_optional_and_loaded_as_given(data_dir: Path, edit_data: EditData) -> None:
    """An omen without original wording loads with none; one with it keeps it verbatim."""
    omen_id = load_dataset(data_dir).omens[0].id
    assert load_dataset(data_dir).omens[0].original is None
    edit_data("omens.yaml", _give_original(omen_id, OTTOMAN))
    omen = load_dataset(data_dir).collection("omen").get(omen_id)
    assert omen.original == Original(**OTTOMAN)


def test_latin_original_needs_no_transliteration(data_dir: Path, edit_data: EditData) -> None:
    """Original wording in Latin script loads without a transliteration."""
    omen_id = load_dataset(data_dir).omens[0].id
    edit_data("omens.yaml", _give_original(omen_id, {"language": "tr", "text": "Dudak seğirir"}))
    original = load_dataset(data_dir).collection("omen").get(omen_id).original
    assert original == Original(language="tr", text="Dudak seğirir", transliteration=None)


@pytest.fixture
def app_with_original(data_dir: Path, edit_data: EditData) -> tuple[Flask, str]:
    """An app whose first omen, a belief of a reading, carries Ottoman original wording."""
    dataset = load_dataset(data_dir)
    omen_id = dataset.readings[0].omen.beliefs[0].id
    edit_data("omens.yaml", _give_original(omen_id, OTTOMAN))
    return create_app({**TEST_SETTINGS, "DATA_DIR": str(data_dir)}), omen_id


def test_original_is_served_on_the_omen_and_in_readings(
    app_with_original: tuple[Flask, str],
) -> None:
    """The omen, the omen list and every reading citing it show the original; others null."""
    app, omen_id = app_with_original
    client = app.test_client()
    assert client.get(f"/v1/omens/{omen_id}").get_json()["original"] == OTTOMAN
    listed = client.get("/v1/omens?page_size=100").get_json()["items"]
    assert {omen["omen_id"]: omen["original"] for omen in listed}[omen_id] == OTTOMAN
    assert any(omen["original"] is None for omen in listed)
    reading_id = load_dataset(Path(app.config["DATA_DIR"])).readings[0].id
    beliefs = client.get(f"/v1/readings/{reading_id}").get_json()["omen"]["beliefs"]
    assert next(b for b in beliefs if b["omen_id"] == omen_id)["original"] == OTTOMAN
