"""Each language's translation: refused when broken (file, entry, field), applied when whole."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.dataset import DATA_DIR, DatasetError, load_dataset, load_datasets
from service.dataset.__main__ import main

from .helpers import read_yaml, write_yaml
from .pseudo_language import pseudo, write_pseudo_language

# Under make test one process writes the pseudo-languages for every test of the module.
pytestmark = pytest.mark.xdist_group("pseudo-languages")

TAG = "xx"
FOLDER = f"data/translations/{TAG}"
Change = Callable[[Any], Any]


def _other_languages(folder: str, names: list[str]) -> list[str]:
    """For ``shutil.copytree``: every language folder but English's."""
    return [name for name in names if Path(folder).name == "translations" and name != "en"]


@pytest.fixture(scope="module")
def english_and_pseudo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The shipped data with English and one complete pseudo-language alone (the shipped
    languages are checked by test_shipped_translations_load), by tag: each written once, on
    first use, and never changed."""
    written: dict[str, Path] = {}

    def data_with(tag: str) -> Path:
        if tag not in written:
            data = tmp_path_factory.mktemp(f"pseudo-{tag}") / "data"
            shutil.copytree(DATA_DIR, data, ignore=_other_languages)
            write_pseudo_language(data, tag)
            written[tag] = data
        return written[tag]

    return data_with


def private_copy(english_and_pseudo: Callable[[str], Path], tag: str, tmp_path: Path) -> Path:
    """A copy of the data with English and the pseudo-language ``tag`` that a test may break:
    the language's folder."""
    data = tmp_path / "data"
    shutil.copytree(english_and_pseudo(tag), data)
    return data / "translations" / tag


@pytest.fixture
def language_dir(english_and_pseudo: Callable[[str], Path], tmp_path: Path) -> Path:
    """A private copy of the data with English and the pseudo-language ``xx``: its folder."""
    return private_copy(english_and_pseudo, TAG, tmp_path)


def edit(folder: Path, name: str, change: Change) -> None:
    path = folder / name
    document = read_yaml(path)
    change(document)
    write_yaml(path, document)


ENGLISH = load_dataset()
OMEN = ENGLISH.omens[0]
NOT_EMERGENCY = next(s for s in ENGLISH.symptoms if s.emergency_phrase is None)
READING = ENGLISH.readings[0]
CONDITION = ENGLISH.conditions[0]
NUMB = "sudden-facial-numbness"
NUMB_PHRASE = pseudo(ENGLISH.collection("symptom").get(NUMB).emergency_phrase or "")


def _set(*path: str, value: Any) -> Change:
    def change(document: Any) -> None:
        for key in path[:-1]:
            document = document[key]
        document[path[-1]] = value

    return change


def _pop(*path: str) -> Change:
    def change(document: Any) -> None:
        for key in path[:-1]:
            document = document[key]
        document.pop(path[-1])

    return change


# Each case: (name, file, change, entry, field, message part).
CASES: list[tuple[str, str, Change, str | None, str | None, str]] = [
    (
        "an id the English does not have",
        "omens.yaml",
        _set("made-up-omen", value={"headline": "x", "text": "y"}),
        "made-up-omen",
        None,
        "no English entry has this id",
    ),
    (
        "an entry left out",
        "omens.yaml",
        _pop(OMEN.id),
        OMEN.id,
        None,
        "missing: every English entry needs its translation",
    ),
    (
        "a field left out",
        "traditions.yaml",
        _pop(ENGLISH.traditions[0].id, "description"),
        ENGLISH.traditions[0].id,
        "description",
        "missing: translate every field",
    ),
    (
        "a field that is not translated text",
        "omens.yaml",
        _set(OMEN.id, "sentiment", value="bueno"),
        OMEN.id,
        "sentiment",
        "not a translated field of this entry",
    ),
    (
        "an emergency phrase the English entry does not have",
        "symptoms.yaml",
        _set(NOT_EMERGENCY.id, "emergency_phrase", value="ñ"),
        NOT_EMERGENCY.id,
        "emergency_phrase",
        "the English entry has none",
    ),
    (
        "a placeholder word",
        "conditions.yaml",
        _set(CONDITION.id, "summary", value="TODO translate"),
        CONDITION.id,
        "summary",
        "a placeholder ('TODO')",
    ),
    (
        "an ellipsis in brackets",
        "treatments.yaml",
        _set(ENGLISH.treatments[0].id, "description", value="Ñ [...] ñ"),
        ENGLISH.treatments[0].id,
        "description",
        "a placeholder ('[...]')",
    ),
    (
        "a sentence left in English",
        "omens.yaml",
        _set(OMEN.id, "text", value=OMEN.text),
        OMEN.id,
        "text",
        "left in English",
    ),
    (
        "an empty field",
        "symptoms.yaml",
        _set(ENGLISH.symptoms[0].id, "advice", value=""),
        ENGLISH.symptoms[0].id,
        "advice",
        "must be a non-empty string",
    ),
    (
        "a headline too long for a card",
        "omens.yaml",
        _set(OMEN.id, "headline", value="ñ" * 81),
        OMEN.id,
        "headline",
        "longer than 80 characters",
    ),
    (
        "a reading's cause for a condition the English reading does not list",
        "readings.yaml",
        _set(READING.id, "medical", "likely_causes", "stroke", value="ñ"),
        READING.id,
        "medical.likely_causes.stroke",
        "not a translated field of this entry",
    ),
    (
        "a reading's rule-out left out",
        "readings.yaml",
        _pop(READING.id, "medical", "rule_out", READING.medical.rule_out[0].condition.id),
        READING.id,
        f"medical.rule_out.{READING.medical.rule_out[0].condition.id}",
        "missing: translate every field",
    ),
    (
        "emergency text without a red flag's translated phrase",
        "readings.yaml",
        _set(READING.id, "medical", "when_to_call_emergency", value="llamá al 112 ya."),
        READING.id,
        "medical.when_to_call_emergency",
        "does not name the emergency red flag",
    ),
    (
        "see-a-doctor text naming an emergency sign",
        "readings.yaml",
        _set(READING.id, "medical", "when_to_see_doctor", value=f"mañana si {NUMB_PHRASE}."),
        READING.id,
        "medical.when_to_see_doctor",
        "emergency signs belong in when_to_call_emergency only",
    ),
    (
        "a check against a source that is not a health source of the language",
        "conditions.yaml",
        _set(CONDITION.id, "checked_against", value=["lip-twitching-article"]),
        CONDITION.id,
        "checked_against.0",
        "'lip-twitching-article' is not a health source in this language",
    ),
    (
        "a check on a kind that has no medical wording",
        "omens.yaml",
        _set(OMEN.id, "checked_against", value=[f"{TAG}-health-page"]),
        OMEN.id,
        "checked_against",
        "only conditions, symptoms, treatments and readings",
    ),
    (
        "a health source whose id does not start with the tag",
        "health-sources.yaml",
        lambda d: d[0].update(id="health-page"),
        "health-page",
        "id",
        f"a health source's id starts with '{TAG}-'",
    ),
    (
        "a health source in another language",
        "health-sources.yaml",
        lambda d: d[0].update(language="es"),
        f"{TAG}-health-page",
        "language",
        f"must be '{TAG}', the folder's language",
    ),
    (
        "a health source nothing was checked against",
        "health-sources.yaml",
        lambda d: d.append({**d[0], "id": f"{TAG}-unused"}),
        f"{TAG}-unused",
        "id",
        "no entry of this language lists it in checked_against",
    ),
    (
        "an interface string left out",
        "interface.yaml",
        _pop("card", "disclaimer"),
        "card",
        "disclaimer",
        "missing: every English key needs its translation",
    ),
    (
        "an interface key the English does not have",
        "interface.yaml",
        _set("card", "slogan", value="ñ"),
        "card",
        "slogan",
        "no such key in the English interface strings",
    ),
    (
        "an interface placeholder renamed",
        "interface.yaml",
        _set("problems", "must_be_one_of", value="Must be: {options}."),
        "problems",
        "must_be_one_of",
        "must keep the English placeholders exactly: {choices}",
    ),
    (
        "a language file naming another language",
        "language.yaml",
        lambda d: d.update(tag="es"),
        None,
        "tag",
        f"must be '{TAG}', the folder's name",
    ),
    (
        "a language file that does not say whether a native speaker reviewed it",
        "language.yaml",
        lambda d: d.pop("reviewed_by_native_speaker"),
        None,
        "reviewed_by_native_speaker",
        "Missing data for required field",
    ),
    (
        "the dataset's disclaimer left out",
        "dataset.yaml",
        lambda d: d.pop("disclaimer"),
        "dataset",
        "disclaimer",
        "missing: translate every field",
    ),
]


@pytest.mark.parametrize(
    ("file", "change", "entry", "field", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_translation_stops_loading_naming_file_entry_and_field(
    language_dir: Path,
    file: str,
    change: Change,
    entry: str | None,
    field: str | None,
    message: str,
) -> None:
    """Each rule of the translation loader refuses a language that breaks it, and says where."""
    edit(language_dir, file, change)
    with pytest.raises(DatasetError) as caught:
        load_datasets(language_dir.parents[1])
    error = caught.value
    assert (error.file, error.entry, error.field) == (f"{FOLDER}/{file}", entry, field), error
    assert message in error.message


@pytest.mark.parametrize(
    ("tag", "text", "refused"),
    [("es", "Ñ tódó ñ todo ñ.", False), ("es", "Ñ TODO ñ.", True), ("xx", "Ñ todo ñ.", True)],
)
def test_placeholders_are_read_in_the_translations_language(
    english_and_pseudo: Callable[[str], Path], tmp_path: Path, tag: str, text: str, refused: bool
) -> None:
    """A mark of unfinished text stops loading, read as the language writes: Spanish 'todo'
    ('all') is a word and loads; TODO in capitals, or 'todo' in another language, does not."""
    folder = private_copy(english_and_pseudo, tag, tmp_path)
    data = folder.parents[1]
    edit(folder, "conditions.yaml", _set(CONDITION.id, "summary", value=text))
    if not refused:
        assert load_datasets(data)[tag].collection("condition").get(CONDITION.id).summary == text
        return
    with pytest.raises(DatasetError) as caught:
        load_datasets(data)
    assert (caught.value.entry, caught.value.field) == (CONDITION.id, "summary")
    assert "a placeholder" in caught.value.message


def test_a_missing_translation_file_is_named(language_dir: Path) -> None:
    """A language folder without one of its files stops loading, naming the file."""
    (language_dir / "treatments.yaml").unlink()
    with pytest.raises(DatasetError, match=f"^{FOLDER}/treatments.yaml: file not found$"):
        load_datasets(language_dir.parents[1])


def test_english_interface_refuses_a_stray_brace(data_dir: Path) -> None:
    """The English master's placeholders are {name}; any other brace stops loading."""
    edit(
        data_dir / "translations" / "en",
        "interface.yaml",
        _set("card", "share_folklore", value="Folklore: {headline."),
    )
    with pytest.raises(DatasetError) as caught:
        load_datasets(data_dir)
    assert caught.value.file == "data/translations/en/interface.yaml"
    assert (caught.value.entry, caught.value.field) == ("card", "share_folklore")


def test_shipped_translations_load() -> None:
    """Every language in data/translations passes every rule, English first."""
    datasets = load_datasets()
    assert next(iter(datasets)) == "en"
    for tag, dataset in datasets.items():
        assert dataset.language.tag == tag
        assert dataset.language.strings > 0


def test_a_language_changes_only_text(language_dir: Path) -> None:
    """Ids, enums, numbers and links are the English ones; every text is the language's."""
    datasets = load_datasets(language_dir.parents[1])
    english, other = datasets["en"], datasets[TAG]
    assert english.counts() == other.counts()
    assert english.checksum == other.checksum
    for kind in english.entries:
        assert [e.id for e in english.entries[kind]] == [e.id for e in other.entries[kind]]
    for mine, theirs in zip(english.readings, other.readings, strict=True):
        assert (mine.id, mine.medical.urgency) == (theirs.id, theirs.medical.urgency)
        assert theirs.omen.meaning == pseudo(mine.omen.meaning)
        assert theirs.medical.likely_causes[0].condition.name == pseudo(
            mine.medical.likely_causes[0].condition.name
        )
        assert [s.id for s in theirs.medical.red_flags] == [s.id for s in mine.medical.red_flags]
        beliefs = zip(mine.omen.beliefs, theirs.omen.beliefs, strict=True)
        for belief, translated in beliefs:
            assert translated.tradition.name == pseudo(belief.tradition.name)
            assert translated.original == belief.original
    assert other.info.disclaimer == pseudo(english.info.disclaimer)
    assert other.info.version == english.info.version
    assert other.interface["card.disclaimer"] == pseudo(english.interface["card.disclaimer"])


def test_health_sources_join_every_language_and_back_what_was_checked(
    language_dir: Path,
) -> None:
    """A health source is a source (with its language) in every language, and the entry
    checked against it cites it there."""
    datasets = load_datasets(language_dir.parents[1])
    page = f"{TAG}-health-page"
    for dataset in datasets.values():
        assert dataset.collection("source").get(page).language == TAG
    english_condition = datasets["en"].conditions[0]
    translated = datasets[TAG].conditions[0]
    assert page not in [s.id for s in english_condition.sources]
    assert [s.id for s in translated.sources] == [*(s.id for s in english_condition.sources), page]
    assert all(s.language == "en" for s in english_condition.sources)


def test_symptoms_added_to_a_reading_are_explained_in_its_language(language_dir: Path) -> None:
    """A condition brought in by reported symptoms says why in the reading's language."""
    other = load_datasets(language_dir.parents[1])[TAG]
    reading = other.reading_for("left", "upper", False)
    droop = other.collection("symptom").get("sudden-facial-droop")
    adjusted = other.with_symptoms(reading, [droop])
    added = [c for c in adjusted.medical.rule_out if c not in reading.medical.rule_out]
    assert added, "facial droop brings in a serious condition"
    assert "cán cómé wíth" in added[0].signs
    assert added[0].signs.startswith(added[0].condition.name)


def test_the_check_command_lists_every_language(
    language_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m service.dataset` checks translations too and names each language."""
    assert main([str(language_dir.parents[1])]) == 0
    out = capsys.readouterr().out
    assert "languages: en (English, " in out and f"{TAG} (Pseudo-{TAG}, " in out
    edit(language_dir, "omens.yaml", _pop(OMEN.id))
    assert main([str(language_dir.parents[1])]) == 1
    assert f"invalid dataset: {FOLDER}/omens.yaml: entry '{OMEN.id}'" in capsys.readouterr().err
