"""Each language's translation of the dataset: loaded, checked and applied to the English.

A language is a folder ``data/translations/<tag>/`` (the format: ``docs/languages.md``).
Its files map each English entry's id to the entry's translated text fields only; ids,
enums, numbers and links come from the English. Loading refuses, naming the file, the
entry and the field: an id the English lacks, an entry or field missing, a field the
English entry does not have, a placeholder word or a sentence left in English, an
emergency phrase that a reading's emergency text does not contain (or its see-a-doctor
text does), and a ``checked_against`` id that is not a health source of the language.

``localize`` then turns the English dataset into the same dataset in the language: the
one place an entry becomes text in a language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

import marshmallow as ma
from marshmallow import fields as ma_fields
from marshmallow import validate

from .errors import DatasetError
from .files import DataFiles
from .interface import INTERFACE_FILE, Interface, english_interface, translated_interface
from .models import (
    Condition,
    Language,
    LikelyCause,
    Omen,
    Reading,
    RuleOut,
    Source,
    Symptom,
    Tradition,
    Treatment,
)
from .schemas import LANGUAGE_TAG_PATTERN, SourceSchema

ENGLISH = "en"
TRANSLATIONS = "translations"
LANGUAGE_FILE = "language.yaml"
HEALTH_SOURCES_FILE = "health-sources.yaml"
CHECKED_AGAINST = "checked_against"

PLACEHOLDER_MARKS = ("TODO", "TBD", "FIXME", "XXX")
"""Words that mark unfinished text, read in any letter case; in a language where one is an
ordinary word (``ORDINARY_WORDS``), only in capitals, as editors write the mark."""
ORDINARY_WORDS = {"es": {"todo"}}
"""Marks that are words of a language: Spanish 'todo' ('all', 'everything') is not a gap."""


@functools.cache
def placeholder_pattern(tag: str) -> re.Pattern[str]:
    """What marks unfinished text in language ``tag``: a mark of ``PLACEHOLDER_MARKS`` (in
    capitals only where it is an ordinary word of the language), an ellipsis in brackets,
    ``???`` or lorem ipsum. The loader refuses a translation with one that its English lacks;
    the tests refuse one in any text served in that language."""
    ordinary = ORDINARY_WORDS.get(tag.split("-")[0].lower(), set())
    marks = "|".join(
        f"(?-i:{mark})" if mark.lower() in ordinary else mark for mark in PLACEHOLDER_MARKS
    )
    return re.compile(rf"(?i)\b(?:{marks})\b|\[\.\.\.\]|\?\?\?|\blorem\b")


LEFTOVER_MIN_WORDS = 4
"""A translated field identical to an English one of this many words or more is a sentence
left in English (shorter ones, such as a name, may rightly stay the same)."""


@dataclass(frozen=True)
class KindText:
    """The translated fields of one kind of entry, and the file that holds them."""

    kind: str
    file: str
    fields: tuple[str, ...]
    checked: bool = False
    """Whether its entries may say which health sources they were checked against."""


KIND_TEXTS = (
    KindText("source", "sources.yaml", ("supports",)),
    KindText("tradition", "traditions.yaml", ("name", "region", "period", "description")),
    KindText("omen", "omens.yaml", ("headline", "text", "attestation_note")),
    KindText(
        "symptom",
        "symptoms.yaml",
        ("name", "description", "advice", "emergency_phrase"),
        checked=True,
    ),
    KindText("treatment", "treatments.yaml", ("name", "description"), checked=True),
    KindText(
        "condition",
        "conditions.yaml",
        ("name", "summary", "description", "lip_twitch_link", "see_doctor_when"),
        checked=True,
    ),
)
"""The translated text of each kind of entry; a field the English entry leaves empty
(``attestation_note``, ``emergency_phrase``) is left empty in every language."""
DATASET_FIELDS = ("title", "licence", "disclaimer")
READING_OMEN_FIELDS = ("headline", "meaning")
READING_MEDICAL_FIELDS = ("headline", "explanation", "when_to_see_doctor", "when_to_call_emergency")
MAX_LENGTHS = {"headline": 80, "summary": 160}
"""Fields kept short for cards, in every language."""


class LanguageSchema(ma.Schema):
    tag = ma_fields.String(required=True, validate=validate.Regexp(LANGUAGE_TAG_PATTERN))
    name = ma_fields.String(required=True, validate=validate.Length(min=1))
    english_name = ma_fields.String(required=True, validate=validate.Length(min=1))
    method = ma_fields.String(required=True, validate=validate.Length(min=1))
    reviewed_by_native_speaker = ma_fields.Boolean(required=True, truthy={True}, falsy={False})


class HealthSourceSchema(SourceSchema):
    """A health source in the language: a full source entry with its language."""

    language = ma_fields.String(required=True, validate=validate.Regexp(LANGUAGE_TAG_PATTERN))


@dataclass(frozen=True)
class Translation:
    """One language's text for every entry, validated against the English."""

    language: Language
    interface: Interface
    info: Mapping[str, str]
    texts: Mapping[tuple[str, str], Mapping[str, Any]]
    """Each entry's translated fields, by (kind, id); readings under kind ``reading``."""
    health_sources: tuple[Source, ...]
    checked: Mapping[tuple[str, str], tuple[Source, ...]]
    """The health sources each entry was checked against, by (kind, id)."""


def translation_tags(files: DataFiles) -> list[str]:
    """The tags of the translation folders present, English first, then sorted."""
    folder = files.data_dir / TRANSLATIONS
    tags = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    return [ENGLISH, *(tag for tag in tags if tag != ENGLISH)]


def load_language(files: DataFiles, tag: str) -> Language:
    """The folder's ``language.yaml``, whose tag must be the folder's name."""
    raw = files.mapping(LANGUAGE_FILE, LanguageSchema())
    if raw["tag"] != tag:
        raise DatasetError(
            files.label(LANGUAGE_FILE), f"must be '{tag}', the folder's name", None, "tag"
        )
    return Language(**raw)


def load_english(files: DataFiles) -> tuple[Language, Interface]:
    """English's own folder: its ``language.yaml`` and the master interface strings."""
    language = load_language(files, ENGLISH)
    interface = english_interface(files.read(INTERFACE_FILE), files.label(INTERFACE_FILE))
    return language, interface


class _Checker:
    """The rules every translated string follows, with located errors."""

    def __init__(self, files: DataFiles, tag: str) -> None:
        self.files = files
        self.placeholders = placeholder_pattern(tag)

    def words(self, file: str, entry: str, field: str, text: str, english: str) -> None:
        found = self.placeholders.search(text)
        if found and not placeholder_pattern(ENGLISH).search(english):
            raise DatasetError(
                file, f"a placeholder ('{found.group(0)}') instead of a translation", entry, field
            )
        if text.strip() == english.strip() and len(english.split()) >= LEFTOVER_MIN_WORDS:
            raise DatasetError(file, "left in English: translate it", entry, field)

    def text(self, file: str, entry: str, field: str, value: Any, english: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise DatasetError(file, "must be a non-empty string", entry, field)
        limit = MAX_LENGTHS.get(field.rsplit(".", 1)[-1])
        if limit is not None and len(value) > limit:
            raise DatasetError(file, f"longer than {limit} characters", entry, field)
        self.words(file, entry, field, value, english)
        return value

    def fields(
        self, file: str, entry: str, raw: Any, english: Mapping[str, Any], prefix: str = ""
    ) -> dict[str, Any]:
        """The translated fields of one entry: exactly the English entry's, each checked.

        A field whose English value is a mapping (a reading's ``omen``, its causes by
        condition id) is checked the same way, field by field; ``prefix`` names it.
        """
        if not isinstance(raw, dict):
            raise DatasetError(
                file, "must be a mapping of translated fields", entry, prefix.rstrip(".") or None
            )
        for field in raw:
            if field not in english:
                raise DatasetError(
                    file, "not a translated field of this entry", entry, f"{prefix}{field}"
                )
            if english[field] is None:
                raise DatasetError(
                    file, "the English entry has none: leave it out", entry, f"{prefix}{field}"
                )
        texts: dict[str, Any] = {}
        for field, value in english.items():
            if value is None:
                continue
            if field not in raw:
                raise DatasetError(
                    file, "missing: translate every field", entry, f"{prefix}{field}"
                )
            if isinstance(value, dict):
                texts[field] = self.fields(file, entry, raw[field], value, f"{prefix}{field}.")
            else:
                texts[field] = self.text(file, entry, f"{prefix}{field}", raw[field], value)
        return texts


def _english_text(entry: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in names}


def _reading_text(reading: Reading) -> dict[str, Any]:
    medical = reading.medical
    return {
        "omen": _english_text(reading.omen, READING_OMEN_FIELDS),
        "medical": {
            **_english_text(medical, READING_MEDICAL_FIELDS),
            "likely_causes": {cause.condition.id: cause.why for cause in medical.likely_causes},
            "rule_out": {item.condition.id: item.signs for item in medical.rule_out},
        },
    }


def load_translation(
    files: DataFiles,
    tag: str,
    entries: Mapping[str, Sequence[Any]],
    readings: Sequence[Reading],
    english: Interface,
    english_info: Mapping[str, str],
) -> Translation:
    """Load and check the folder of language ``tag`` against the English dataset."""
    checker = _Checker(files, tag)
    language = load_language(files, tag)
    interface = translated_interface(
        files.read(INTERFACE_FILE), files.label(INTERFACE_FILE), english, checker.words
    )
    info_raw = files.read("dataset.yaml")
    info = checker.fields(files.label("dataset.yaml"), "dataset", info_raw, english_info)
    health = _health_sources(files, tag, entries)
    by_id = {source.id: source for source in health}
    texts: dict[tuple[str, str], Mapping[str, Any]] = {}
    checked: dict[tuple[str, str], tuple[Source, ...]] = {}
    cited: set[str] = set()

    def take_checked(name: str, kind: str, entry_id: str, raw: Any) -> None:
        ids = raw.pop(CHECKED_AGAINST, None) if isinstance(raw, dict) else None
        if ids is None:
            return
        file, field = files.label(name), CHECKED_AGAINST
        if not isinstance(ids, list) or not ids:
            raise DatasetError(file, "must be a list of health source ids", entry_id, field)
        for position, source_id in enumerate(ids):
            if source_id not in by_id:
                known = ", ".join(sorted(by_id)) or "none"
                raise DatasetError(
                    file,
                    f"'{source_id}' is not a health source in this language (known: {known})",
                    entry_id,
                    f"{field}.{position}",
                )
        checked[(kind, entry_id)] = tuple(by_id[source_id] for source_id in ids)
        cited.update(ids)

    for kind_text in KIND_TEXTS:
        english_entries = {
            entry.id: _english_text(entry, kind_text.fields) for entry in entries[kind_text.kind]
        }
        document = _documents_with_checked(files, kind_text, take_checked)
        for entry_id, fields_ in _checked_entries(
            checker, files, kind_text.file, document, english_entries
        ).items():
            texts[(kind_text.kind, entry_id)] = fields_
    english_readings = {reading.id: _reading_text(reading) for reading in readings}
    document = files.read("readings.yaml")
    if isinstance(document, dict):
        for entry_id, raw in document.items():
            if isinstance(raw, dict) and isinstance(raw.get("medical"), dict):
                take_checked("readings.yaml", "reading", str(entry_id), raw["medical"])
    for entry_id, fields_ in _checked_entries(
        checker, files, "readings.yaml", document, english_readings
    ).items():
        texts[("reading", entry_id)] = fields_
    check_emergency_wording(texts, readings, files.label("readings.yaml"))
    for source in health:
        if source.id not in cited:
            raise DatasetError(
                files.label(HEALTH_SOURCES_FILE),
                f"no entry of this language lists it in {CHECKED_AGAINST}",
                source.id,
                "id",
            )
    strings = len(interface) + len(info) + sum(_count(t) for t in texts.values())
    return Translation(
        language=replace(language, strings=strings),
        interface=interface,
        info=info,
        texts=texts,
        health_sources=health,
        checked=checked,
    )


def _count(texts: Mapping[str, Any]) -> int:
    return sum(_count(value) if isinstance(value, dict) else 1 for value in texts.values())


def _documents_with_checked(
    files: DataFiles, kind_text: KindText, take_checked: Callable[[str, str, str, Any], None]
) -> Any:
    """The kind's translation file, with each entry's ``checked_against`` taken out."""
    document = files.read(kind_text.file)
    if isinstance(document, dict):
        for entry_id, raw in document.items():
            if CHECKED_AGAINST in (raw if isinstance(raw, dict) else {}):
                if not kind_text.checked:
                    raise DatasetError(
                        files.label(kind_text.file),
                        "only conditions, symptoms, treatments and readings are checked "
                        "against health sources",
                        str(entry_id),
                        CHECKED_AGAINST,
                    )
                take_checked(kind_text.file, kind_text.kind, str(entry_id), raw)
    return document


def _checked_entries(
    checker: _Checker,
    files: DataFiles,
    name: str,
    document: Any,
    english: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    file = files.label(name)
    if not isinstance(document, dict):
        raise DatasetError(file, "must be a YAML mapping from each entry's id to its text")
    for entry_id in document:
        if entry_id not in english:
            raise DatasetError(file, "no English entry has this id", str(entry_id))
    translated = {}
    for entry_id, fields_ in english.items():
        if entry_id not in document:
            raise DatasetError(file, "missing: every English entry needs its translation", entry_id)
        translated[entry_id] = checker.fields(file, entry_id, document[entry_id], fields_)
    return translated


def _health_sources(
    files: DataFiles, tag: str, entries: Mapping[str, Sequence[Any]]
) -> tuple[Source, ...]:
    """The language's health sources: full source entries whose ids start with the tag."""
    name = HEALTH_SOURCES_FILE
    if not (files.data_dir / name).exists():
        return ()
    file = files.label(name)
    english_ids = {source.id for source in entries["source"]}
    sources = []
    for entry in files.entries(name, HealthSourceSchema()):
        entry_id = entry["id"]
        if not entry_id.startswith(f"{tag}-"):
            raise DatasetError(file, f"a health source's id starts with '{tag}-'", entry_id, "id")
        if entry["language"] != tag:
            raise DatasetError(
                file, f"must be '{tag}', the folder's language", entry_id, "language"
            )
        if entry["kind"] != "medical":
            raise DatasetError(file, "a health source is medical", entry_id, "kind")
        if entry_id in english_ids:
            raise DatasetError(file, "this id is already a source", entry_id, "id")
        sources.append(Source(**entry))
    return tuple(sources)


def check_emergency_wording(
    texts: Mapping[tuple[str, str], Mapping[str, Any]], readings: Sequence[Reading], file: str
) -> None:
    """Every reading's translated emergency text names each emergency red flag it lists.

    The rule of the English (``links``), per language: the text of
    ``when_to_call_emergency`` contains the symptom's translated ``emergency_phrase``,
    exactly as written, and ``when_to_see_doctor`` contains none.
    """
    for reading in readings:
        medical = texts[("reading", reading.id)]["medical"]
        for symptom in reading.medical.red_flags:
            if symptom.emergency_phrase is None:
                continue
            phrase = texts[("symptom", symptom.id)]["emergency_phrase"]
            if phrase not in medical["when_to_call_emergency"]:
                raise DatasetError(
                    file,
                    f"does not name the emergency red flag '{symptom.id}': the text must "
                    f"contain '{phrase}' (its emergency_phrase in this language)",
                    reading.id,
                    "medical.when_to_call_emergency",
                )
            if phrase in medical["when_to_see_doctor"]:
                raise DatasetError(
                    file,
                    f"names the emergency red flag '{symptom.id}' ('{phrase}'): "
                    "emergency signs belong in when_to_call_emergency only",
                    reading.id,
                    "medical.when_to_see_doctor",
                )


class Localizer:
    """Turns English entries into the same entries in one language, each exactly once."""

    KINDS = {
        Source: "source",
        Tradition: "tradition",
        Omen: "omen",
        Symptom: "symptom",
        Treatment: "treatment",
        Condition: "condition",
    }

    def __init__(self, translation: Translation) -> None:
        self.translation = translation
        self._done: dict[tuple[str, str], Any] = {}

    def entry(self, entry: Any) -> Any:
        """``entry`` (and every entry it links to) with its text in the language."""
        kind = self.KINDS.get(type(entry))
        if kind is None:
            return entry
        key = (kind, entry.id)
        if key not in self._done:
            self._done[key] = self._build(kind, entry)
        return self._done[key]

    def _build(self, kind: str, entry: Any) -> Any:
        texts = self.translation.texts.get((kind, entry.id), {})
        changes: dict[str, Any] = dict(texts)
        for item in fields(entry):
            value = getattr(entry, item.name)
            if isinstance(value, tuple):
                changes[item.name] = tuple(self.entry(part) for part in value)
            elif is_dataclass(value) and type(value) in self.KINDS:
                changes[item.name] = self.entry(value)
        if "sources" in changes:
            changes["sources"] = (
                *changes["sources"],
                *self.translation.checked.get((kind, entry.id), ()),
            )
        return replace(entry, **changes)

    def reading(self, reading: Reading) -> Reading:
        """The reading with its text, and that of every entry it links to, in the language."""
        texts = self.translation.texts[("reading", reading.id)]
        medical_text = texts["medical"]
        omen, medical = reading.omen, reading.medical
        return replace(
            reading,
            omen=replace(
                omen,
                headline=texts["omen"]["headline"],
                meaning=texts["omen"]["meaning"],
                beliefs=tuple(self.entry(belief) for belief in omen.beliefs),
                sources=tuple(self.entry(source) for source in omen.sources),
            ),
            medical=replace(
                medical,
                **{name: medical_text[name] for name in READING_MEDICAL_FIELDS},
                likely_causes=tuple(
                    LikelyCause(
                        self.entry(c.condition), medical_text["likely_causes"][c.condition.id]
                    )
                    for c in medical.likely_causes
                ),
                rule_out=tuple(
                    RuleOut(self.entry(r.condition), medical_text["rule_out"][r.condition.id])
                    for r in medical.rule_out
                ),
                red_flags=tuple(self.entry(symptom) for symptom in medical.red_flags),
                self_care=tuple(self.entry(treatment) for treatment in medical.self_care),
                sources=(
                    *(self.entry(source) for source in medical.sources),
                    *self.translation.checked.get(("reading", reading.id), ()),
                ),
            ),
        )
