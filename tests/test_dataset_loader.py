"""The loader refuses a broken dataset with one message naming file, entry and field."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.dataset import DATA_DIR, DatasetError, load_dataset
from service.dataset.models import Reading, sentiment_of

from .helpers import EditData, read_yaml


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped data with English alone, which a test may break: these
    are the English data's rules (tests/test_translations.py checks the other languages'), and
    each case copied all four languages' files."""
    copy = tmp_path / "data"
    shutil.copytree(
        DATA_DIR,
        copy,
        ignore=lambda folder, names: [
            name for name in names if Path(folder).name == "translations" and name != "en"
        ],
    )
    return copy


def first(document: list[dict[str, Any]]) -> dict[str, Any]:
    return document[0]


def by_id(document: list[dict[str, Any]], entry_id: str) -> dict[str, Any]:
    return next(entry for entry in document if entry["id"] == entry_id)


def medical(document: list[dict[str, Any]]) -> dict[str, Any]:
    """The medical half of the first reading."""
    half: dict[str, Any] = first(document)["medical"]
    return half


def reading(document: list[dict[str, Any]], side: str, lip: str, sudden: bool) -> dict[str, Any]:
    return next(r for r in document if (r["side"], r["lip"], r["sudden"]) == (side, lip, sudden))


def test_shipped_dataset_loads() -> None:
    """The dataset in data/ passes every rule."""
    dataset = load_dataset()
    assert len(dataset.readings) == 8
    assert all(isinstance(r, Reading) for r in dataset.readings)


def test_loaded_dataset_is_immutable() -> None:
    """Nothing can change the dataset after loading: objects are frozen, collections tuples."""
    dataset = load_dataset()
    with pytest.raises(AttributeError):
        dataset.readings[0].omen.headline = "changed"  # type: ignore[misc]
    assert isinstance(dataset.omens, tuple)
    assert isinstance(dataset.readings[0].medical.red_flags, tuple)


def test_checksum_is_stable_and_follows_content(data_dir: Path, edit_data: EditData) -> None:
    """The checksum is the same for the same files and changes when a file changes."""
    before = load_dataset(data_dir).checksum
    assert load_dataset(data_dir).checksum == before
    edit_data("dataset.yaml", lambda info: info.update(version="9.9.9"))
    assert load_dataset(data_dir).checksum != before


# Each case: (file, change to its parsed document, expected entry, expected field, message part).
# The entry is None where the mistake is not inside one entry.
Change = Callable[[Any], Any]
CASES: list[tuple[str, str, Change, str | None, str | None, str]] = [
    (
        "missing required field",
        "omens.yaml",
        lambda d: first(d).pop("headline"),
        "@omens.0",
        "headline",
        "Missing data for required field",
    ),
    (
        "value outside the allowed set",
        "omens.yaml",
        lambda d: first(d).update(sentiment="great"),
        "@omens.0",
        "sentiment",
        "Must be one of: good, bad, neutral, mixed",
    ),
    (
        "field the schema does not know",
        "conditions.yaml",
        lambda d: first(d).update(severity="high"),
        "@conditions.0",
        "severity",
        "Unknown field",
    ),
    (
        "id not in kebab-case",
        "symptoms.yaml",
        lambda d: first(d).update(id="Facial Droop"),
        "Facial Droop",
        "id",
        "kebab-case",
    ),
    (
        "id used twice",
        "treatments.yaml",
        lambda d: d.append(dict(first(d))),
        "@treatments.0",
        "id",
        "used twice",
    ),
    (
        "empty text",
        "traditions.yaml",
        lambda d: first(d).update(description=""),
        "@traditions.0",
        "description",
        "Shorter than minimum length 1",
    ),
    (
        "headline too long for a card",
        "omens.yaml",
        lambda d: first(d).update(headline="x" * 81),
        "@omens.0",
        "headline",
        "Length must be between 1 and 80",
    ),
    (
        "omen without a source",
        "omens.yaml",
        lambda d: first(d).update(sources=[]),
        "@omens.0",
        "sources",
        "Shorter than minimum length 1",
    ),
    (
        "condition without a source",
        "conditions.yaml",
        lambda d: first(d).update(sources=[]),
        "@conditions.0",
        "sources",
        "Shorter than minimum length 1",
    ),
    (
        "unknown tradition",
        "omens.yaml",
        lambda d: first(d).update(tradition="atlantis"),
        "@omens.0",
        "tradition",
        "unknown tradition 'atlantis' (known: ",
    ),
    (
        "unknown source",
        "traditions.yaml",
        lambda d: first(d)["sources"].append("made-up-source"),
        "@traditions.0",
        "sources.",
        "unknown source 'made-up-source'",
    ),
    (
        "unknown symptom",
        "conditions.yaml",
        lambda d: first(d).update(symptoms=["third-lip"]),
        "@conditions.0",
        "symptoms.0",
        "unknown symptom 'third-lip'",
    ),
    (
        "unknown treatment",
        "conditions.yaml",
        lambda d: first(d).update(treatments=["leeches"]),
        "@conditions.0",
        "treatments.0",
        "unknown treatment 'leeches'",
    ),
    (
        "low-quality belief without a note saying so",
        "omens.yaml",
        lambda d: first(d).update(attestation="low_quality_only", attestation_note=None),
        "@omens.0",
        "attestation_note",
        "Required when attestation is low_quality_only",
    ),
    (
        "reported belief without a note saying what reports it",
        "omens.yaml",
        lambda d: first(d).update(attestation="reported", attestation_note=None),
        "@omens.0",
        "attestation_note",
        "Required when attestation is reported",
    ),
    (
        "reported belief backed only by low-quality sources",
        "omens.yaml",
        lambda d: first(d).update(attestation="reported", sources=["lip-twitching-article"]),
        "@omens.0",
        "attestation",
        "a reported belief needs a source of better than low quality",
    ),
    (
        "tradition without a period",
        "traditions.yaml",
        lambda d: first(d).pop("period"),
        "@traditions.0",
        "period",
        "Missing data for required field",
    ),
    (
        "documented belief backed only by low-quality sources",
        "omens.yaml",
        lambda d: first(d).update(attestation="documented", sources=["lip-twitching-article"]),
        "@omens.0",
        "attestation",
        "a documented belief needs a source of better than low quality",
    ),
    (
        "copy of another publisher's text rated above low",
        "sources.yaml",
        lambda d: by_id(d, "nhs-twitching-eyes-muscles").update(quality="reputable"),
        "nhs-twitching-eyes-muscles",
        "quality",
        "A copy of another publisher's text",
    ),
    (
        "facsimile that names no original",
        "sources.yaml",
        lambda d: first(d).update(facsimile=True),
        "@sources.0",
        "facsimile",
        "Only a copy can be a facsimile",
    ),
    (
        "documented belief read in one copy only",
        "omens.yaml",
        lambda d: by_id(d, "trepetnik-lip-trembles-joy").update(sources=["promacedonia-trepetnik"]),
        "trepetnik-lip-trembles-joy",
        "attestation",
        "copies of the record by 2 different publishers",
    ),
    (
        "reported belief resting on copies alone",
        "omens.yaml",
        lambda d: by_id(d, "marifetname-corner-right-harm").update(attestation="reported"),
        "marifetname-corner-right-harm",
        "attestation",
        "a reported belief needs a source of better than low quality",
    ),
    (
        "source with neither url nor file",
        "sources.yaml",
        lambda d: first(d).update(url=None, file=None),
        "@sources.0",
        "url",
        "Give the page's url",
    ),
    (
        "source url that is not a web address",
        "sources.yaml",
        lambda d: first(d).update(url="ftp://example.org/x"),
        "@sources.0",
        "url",
        "Not a valid URL",
    ),
    (
        "reading with one belief",
        "readings.yaml",
        lambda d: first(d)["omen"].update(beliefs=first(d)["omen"]["beliefs"][:1]),
        "@readings.0",
        "omen.beliefs",
        "Shorter than minimum length 3",
    ),
    (
        "reading whose beliefs share one tradition",
        "readings.yaml",
        lambda d: first(d)["omen"].update(beliefs=[first(d)["omen"]["beliefs"][0]] * 3),
        "@readings.0",
        "omen.beliefs",
        "at least 3 traditions",
    ),
    (
        "reading whose beliefs come from only two traditions",
        "readings.yaml",
        lambda d: reading(d, "left", "upper", True)["omen"].update(
            beliefs=[
                "popular-left-side-bad",
                "popular-sudden-twitch-embarrassment",
                "jamaica-lips-twitch-kiss",
            ]
        ),
        "left-upper-sudden",
        "omen.beliefs",
        "at least 3 traditions",
    ),
    (
        "reading without a documented belief",
        "readings.yaml",
        lambda d: reading(d, "left", "upper", True)["omen"].update(
            beliefs=["popular-left-side-bad", "online-left-upper-bad-news", "zulu-upper-lip-happy"]
        ),
        "left-upper-sudden",
        "omen.beliefs",
        "at least 1 belief must be documented",
    ),
    (
        "reading called good while one of its beliefs is bad",
        "readings.yaml",
        lambda d: reading(d, "left", "upper", True)["omen"].update(sentiment="good"),
        "left-upper-sudden",
        "omen.sentiment",
        "sentiment good does not agree with the beliefs listed",
    ),
    (
        "reading called mixed while all its beliefs are good",
        "readings.yaml",
        lambda d: reading(d, "right", "upper", False)["omen"].update(sentiment="mixed"),
        "right-upper-gradual",
        "omen.sentiment",
        "they make it good",
    ),
    (
        "reading without red flags",
        "readings.yaml",
        lambda d: first(d)["medical"].update(red_flags=[]),
        "@readings.0",
        "medical.red_flags",
        "Shorter than minimum length 1",
    ),
    (
        "reading without the one-sided facial droop red flag",
        "readings.yaml",
        lambda d: medical(d)["red_flags"].remove("sudden-facial-droop"),
        "@readings.0",
        "medical.red_flags",
        "must list 'sudden-facial-droop' among its red flags",
    ),
    (
        "red flag that is not a symptom",
        "readings.yaml",
        lambda d: medical(d)["red_flags"].append("third-lip"),
        "@readings.0",
        "medical.red_flags.",
        "unknown symptom 'third-lip'",
    ),
    (
        "emergency text that leaves out an emergency red flag",
        "readings.yaml",
        lambda d: medical(d).update(
            when_to_call_emergency="Call the emergency number if the face droops."
        ),
        "@readings.0",
        "medical.when_to_call_emergency",
        "does not name the emergency red flag 'sudden-facial-numbness': "
        "the text must contain 'goes numb'",
    ),
    (
        "see-a-doctor text that puts an emergency sign off",
        "readings.yaml",
        lambda d: medical(d).update(
            when_to_see_doctor="Get medical help the same day if the face starts to droop."
        ),
        "@readings.0",
        "medical.when_to_see_doctor",
        "emergency signs belong in when_to_call_emergency only",
    ),
    (
        "serious condition among the likely causes",
        "readings.yaml",
        lambda d: medical(d)["likely_causes"].append({"condition": "stroke", "why": "Rarely."}),
        "@readings.0",
        "medical.likely_causes.",
        "'stroke' is serious (emergency): list it in rule_out",
    ),
    (
        "common condition in the rule-out list",
        "readings.yaml",
        lambda d: medical(d)["rule_out"].append({"condition": "stress", "signs": "Worry."}),
        "@readings.0",
        "medical.rule_out.",
        "'stress' is not serious: list it in likely_causes",
    ),
    (
        "reading without conditions to rule out",
        "readings.yaml",
        lambda d: medical(d).update(rule_out=[]),
        "@readings.0",
        "medical.rule_out",
        "Shorter than minimum length 1",
    ),
    (
        "emergency symptom without the phrase readings must contain",
        "symptoms.yaml",
        lambda d: by_id(d, "sudden-facial-droop").pop("emergency_phrase"),
        "sudden-facial-droop",
        "emergency_phrase",
        "Required for an emergency symptom",
    ),
    (
        "emergency phrase on a symptom that is no emergency",
        "symptoms.yaml",
        lambda d: first(d).update(emergency_phrase="twitch"),
        "@symptoms.0",
        "emergency_phrase",
        "Only an emergency symptom has an emergency_phrase",
    ),
    (
        "emergency condition not marked serious",
        "conditions.yaml",
        lambda d: by_id(d, "stroke").update(serious=False),
        "stroke",
        "serious",
        "An urgent or emergency condition is serious",
    ),
    (
        "reading without advice on emergencies",
        "readings.yaml",
        lambda d: first(d)["medical"].pop("when_to_call_emergency"),
        "@readings.0",
        "medical.when_to_call_emergency",
        "Missing data for required field",
    ),
    (
        "reading with an urgency off the scale",
        "readings.yaml",
        lambda d: first(d)["medical"].update(urgency="whenever"),
        "@readings.0",
        "medical.urgency",
        "Must be one of: self_care, see_doctor, urgent, emergency",
    ),
    (
        "reading citing an unknown condition",
        "readings.yaml",
        lambda d: first(d)["medical"]["likely_causes"][0].update(condition="vampirism"),
        "@readings.0",
        "medical.likely_causes.0.condition",
        "unknown condition 'vampirism'",
    ),
    (
        "reading citing an unknown omen",
        "readings.yaml",
        lambda d: first(d)["omen"]["beliefs"].append("made-up-omen"),
        "@readings.0",
        "omen.beliefs.",
        "unknown omen 'made-up-omen'",
    ),
    (
        "reading whose sudden flag is a string",
        "readings.yaml",
        lambda d: first(d).update(sudden="yes"),
        "@readings.0",
        "sudden",
        "Not a valid boolean",
    ),
    (
        "original wording with a language that is not a BCP 47 tag",
        "omens.yaml",
        lambda d: first(d).update(original={"language": "Ottoman", "text": "Dudak oynarsa"}),
        "@omens.0",
        "original.language",
        "Must be a BCP 47 language tag",
    ),
    (
        "original wording in another script without a transliteration",
        "omens.yaml",
        lambda d: first(d).update(original={"language": "hi", "text": "होंठ फड़कना"}),
        "@omens.0",
        "original.transliteration",
        "Required when the text is not in Latin script",
    ),
    (
        "original wording without its text",
        "omens.yaml",
        lambda d: first(d).update(original={"language": "tr"}),
        "@omens.0",
        "original.text",
        "Missing data for required field",
    ),
    (
        "dataset release date that is not a date",
        "dataset.yaml",
        lambda info: info.update(released="last spring"),
        None,
        "released",
        "Not a valid date",
    ),
    (
        "dataset metadata without a disclaimer",
        "dataset.yaml",
        lambda info: info.pop("disclaimer"),
        None,
        "disclaimer",
        "Missing data for required field",
    ),
]


def _resolve_entry(entry: str | None, data_dir: Path) -> str | None:
    """Turn ``@file.N`` into the id of entry N of that file (read it before changing it)."""
    if entry is None or not entry.startswith("@"):
        return entry
    name, position = entry[1:].split(".")
    return str(read_yaml(data_dir / f"{name}.yaml")[int(position)]["id"])


@pytest.mark.parametrize(
    ("file", "change", "entry", "field", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_entry_stops_loading_naming_file_entry_and_field(
    data_dir: Path,
    edit_data: EditData,
    file: str,
    change: Change,
    entry: str | None,
    field: str | None,
    message: str,
) -> None:
    """Each rule of the loader rejects a dataset that breaks it, and says where."""
    expected_entry = _resolve_entry(entry, data_dir)
    edit_data(file, change)
    with pytest.raises(DatasetError) as caught:
        load_dataset(data_dir)
    error = caught.value
    assert error.file == f"data/{file}"
    assert error.entry == expected_entry
    if field is not None and field.endswith("."):
        assert error.field is not None and error.field.startswith(field)
    else:
        assert error.field == field
    assert message in error.message
    assert str(error).startswith(f"data/{file}: ")


@pytest.mark.parametrize(
    ("sentiments", "expected"),
    [
        (["good", "good"], "good"),
        (["good", "neutral"], "good"),
        (["bad", "neutral", "bad"], "bad"),
        (["good", "bad"], "mixed"),
        (["good", "mixed"], "mixed"),
        (["mixed"], "mixed"),
        (["neutral", "neutral"], "neutral"),
    ],
    ids=[
        "all good",
        "good and neutral",
        "bad and neutral",
        "good and bad",
        "with mixed",
        "only mixed",
        "only neutral",
    ],
)
def test_reading_sentiment_sums_up_its_beliefs(sentiments: list[str], expected: str) -> None:
    """A reading is good or bad only if no belief it lists leans the other way."""
    assert sentiment_of(sentiments) == expected


def test_facial_droop_must_stay_an_emergency(data_dir: Path, edit_data: EditData) -> None:
    """Lowering the urgency of one-sided facial droop stops loading at the first reading."""

    def demote(document: list[dict[str, Any]]) -> None:
        droop = by_id(document, "sudden-facial-droop")
        droop.update(urgency="urgent")
        droop.pop("emergency_phrase")

    edit_data("symptoms.yaml", demote)
    first_reading = load_dataset().readings[0].id
    with pytest.raises(
        DatasetError,
        match=rf"^data/readings\.yaml: entry '{first_reading}': field 'medical\.red_flags': "
        "every reading must list 'sudden-facial-droop' among its red flags, at emergency",
    ):
        load_dataset(data_dir)


def test_belief_must_fit_the_reading(data_dir: Path, edit_data: EditData) -> None:
    """A reading may only cite omens about its own side, lip and onset."""
    dataset = load_dataset(data_dir)
    target = dataset.reading_for("left", "upper", True)
    misfit = next(o for o in dataset.omens if not o.applies_to("left", "upper", True))
    edit_data(
        "readings.yaml",
        lambda d: reading(d, "left", "upper", True)["omen"]["beliefs"].append(misfit.id),
    )
    with pytest.raises(DatasetError, match=rf"entry '{target.id}': field 'omen\.beliefs\.\d+'"):
        load_dataset(data_dir)


def test_every_combination_needs_a_reading(data_dir: Path, edit_data: EditData) -> None:
    """Removing one of the 8 readings stops loading and names the missing combination."""
    edit_data(
        "readings.yaml",
        lambda d: d.remove(reading(d, "right", "lower", False)),
    )
    with pytest.raises(
        DatasetError,
        match=r"^data/readings\.yaml: no reading for side=right, lip=lower, sudden=false$",
    ):
        load_dataset(data_dir)


def test_a_combination_may_have_only_one_reading(data_dir: Path, edit_data: EditData) -> None:
    """Two readings for one combination are refused, naming both."""

    def duplicate(document: list[dict[str, Any]]) -> None:
        copy = dict(reading(document, "left", "lower", True), id="left-lower-sudden-again")
        document.append(copy)

    edit_data("readings.yaml", duplicate)
    with pytest.raises(
        DatasetError,
        match=r"entry 'left-lower-sudden-again': field 'side': a second reading for "
        r"side=left, lip=lower, sudden=true",
    ):
        load_dataset(data_dir)


def test_every_source_must_be_cited(data_dir: Path, edit_data: EditData) -> None:
    """A source that no entry cites is refused: the list of sources stays honest."""
    edit_data(
        "sources.yaml",
        lambda d: d.append(dict(first(d), id="nobody-cites-me")),
    )
    with pytest.raises(DatasetError, match=r"entry 'nobody-cites-me': field 'id': no entry cites"):
        load_dataset(data_dir)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"- id: [unclosed\n", r"^data/omens\.yaml: not valid YAML: .*line 1"),
        (b"id: a-mapping\n", r"^data/omens\.yaml: must be a YAML list of entries$"),
        (b"- just a string\n", r"^data/omens\.yaml: entry '#1': must be a mapping of fields$"),
        (b"- id: x\n  id: y\n", r"^data/omens\.yaml: not valid YAML: .*key 'id' is given twice"),
        (b"- id: caf\xe9\n", r"^data/omens\.yaml: not UTF-8 text"),
    ],
    ids=["syntax error", "not a list", "entry not a mapping", "key given twice", "not UTF-8"],
)
def test_unreadable_file_stops_loading(data_dir: Path, content: bytes, message: str) -> None:
    """A file that is not a YAML list of mappings is refused with its name."""
    (data_dir / "omens.yaml").write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        load_dataset(data_dir)


def test_missing_file_stops_loading(data_dir: Path) -> None:
    """A data file that is not there is named."""
    (data_dir / "symptoms.yaml").unlink()
    with pytest.raises(DatasetError, match=r"^data/symptoms\.yaml: file not found$"):
        load_dataset(data_dir)


def test_error_message_is_one_line(data_dir: Path) -> None:
    """The start-up message fits on one line, whatever the YAML parser said."""
    (data_dir / "readings.yaml").write_text("- id: x\n  side: [\n", encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load_dataset(data_dir)
    assert "\n" not in str(caught.value)
    assert re.match(r"^data/readings\.yaml: not valid YAML", str(caught.value))


def test_copies_by_two_publishers_can_document_a_record(
    data_dir: Path, edit_data: EditData
) -> None:
    """A record read only in copies is documented when two publishers' copies agree, not one's."""
    omen = load_dataset(data_dir).collection("omen").get("marifetname-corner-right-harm")
    assert omen.attestation == "documented"
    assert {s.quality for s in omen.sources} == {"low"}
    assert len({s.publisher for s in omen.sources if s.copy_of}) == 2
    edit_data(
        "sources.yaml",
        lambda d: by_id(d, "necatiaksu-ihtilac").update(
            publisher=by_id(d, "marifetname-segirmeler-blogcu")["publisher"]
        ),
    )
    with pytest.raises(DatasetError) as caught:
        load_dataset(data_dir)
    assert caught.value.entry == "marifetname-corner-right-harm"
    assert caught.value.field == "attestation"
