"""Load the curated dataset from ``data/`` and enforce its rules.

Each file is checked entry by entry against a marshmallow schema (types,
required fields, allowed values), then references between files are
resolved and the dataset-wide rules are checked. The first mistake stops
loading with a ``DatasetError`` that names the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any, TypeVar

import marshmallow as ma
import yaml
from marshmallow import fields, validate

from .models import (
    ATTESTATIONS,
    CONDITION_CATEGORIES,
    CONDITION_ONSETS,
    FACE_SIDES,
    LIPS,
    OMEN_LIPS,
    OMEN_ONSETS,
    OMEN_SIDES,
    SENTIMENTS,
    SIDES,
    SOURCE_KINDS,
    SOURCE_QUALITIES,
    TREATMENT_KINDS,
    URGENCY_SCALE,
    Condition,
    DatasetInfo,
    LikelyCause,
    MedicalHalf,
    Omen,
    OmenHalf,
    Reading,
    RuleOut,
    Source,
    Symptom,
    Tradition,
    Treatment,
    sentiment_of,
)
from .queries import Dataset

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
"""The dataset shipped with the service."""

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MIN_BELIEFS_PER_READING = 3
MIN_TRADITIONS_PER_READING = 3
MIN_DOCUMENTED_BELIEFS_PER_READING = 1
FACIAL_DROOP_SYMPTOM = "sudden-facial-droop"
"""The red flag every reading must carry, at emergency urgency (NHS: call 999 if the face
droops on one side; Stroke Association: one failed FAST test means dial 999)."""
COMMON_URGENCIES = ("self_care", "see_doctor")
"""The urgencies a likely cause may have; more urgent conditions belong in rule_out."""

T = TypeVar("T")


class DatasetError(RuntimeError):
    """A mistake in a dataset file, located by file, entry and field.

    It derives from ``RuntimeError`` because gunicorn prints a
    ``RuntimeError`` raised while preloading the app as one plain line
    (``Error: ...``) and exits, instead of a traceback.
    """

    def __init__(
        self, file: str, message: str, entry: str | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message
        where = [file]
        if entry is not None:
            where.append(f"entry '{entry}'")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{': '.join(where)}: {message}")


# --- Schemas: the shape of one entry of each file -----------------------------


def _text(max_length: int | None = None) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length))


def _optional_text() -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1))


def _choice(choices: Sequence[str]) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(choices))


def _ids(min_count: int = 0) -> fields.List[Any]:
    return fields.List(
        fields.String(validate=validate.Regexp(ID_PATTERN)),
        required=True,
        validate=validate.Length(min=min_count),
    )


class _EntrySchema(ma.Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(ID_PATTERN, error="Must be kebab-case: a-z, 0-9 and '-'."),
    )


class DatasetInfoSchema(ma.Schema):
    title = _text()
    version = _text()
    licence = _text()
    disclaimer = _text()


class SourceSchema(_EntrySchema):
    title = _text()
    url = fields.Url(load_default=None, schemes={"http", "https"})
    file = _optional_text()
    publisher = _text()
    kind = _choice(SOURCE_KINDS)
    quality = _choice(SOURCE_QUALITIES)
    supports = _text()
    date = _optional_text()

    @ma.validates_schema
    def _url_or_file(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("url") is None and data.get("file") is None:
            raise ma.ValidationError(
                "Give the page's url, or the file of a source that has no page.", "url"
            )


class TraditionSchema(_EntrySchema):
    name = _text()
    region = _text()
    period = _text()
    description = _text()
    sources = _ids(min_count=1)


class OmenSchema(_EntrySchema):
    tradition = _text()
    side = _choice(OMEN_SIDES)
    lip = _choice(OMEN_LIPS)
    onset = _choice(OMEN_ONSETS)
    sentiment = _choice(SENTIMENTS)
    headline = _text(max_length=80)
    text = _text()
    attestation = _choice(ATTESTATIONS)
    attestation_note = _optional_text()
    sources = _ids(min_count=1)

    @ma.validates_schema
    def _weak_attestation_is_explained(self, data: dict[str, Any], **_: Any) -> None:
        attestation = data.get("attestation")
        if attestation not in (None, "documented") and not data.get("attestation_note"):
            raise ma.ValidationError(
                f"Required when attestation is {attestation}: say plainly what the sources are.",
                "attestation_note",
            )


class SymptomSchema(_EntrySchema):
    name = _text()
    description = _text()
    urgency = _choice(URGENCY_SCALE)
    advice = _text()
    emergency_phrase = _optional_text()
    sources = _ids(min_count=1)

    @ma.validates_schema
    def _emergency_has_phrase(self, data: dict[str, Any], **_: Any) -> None:
        emergency = data.get("urgency") == "emergency"
        if emergency and not data.get("emergency_phrase"):
            raise ma.ValidationError(
                "Required for an emergency symptom: the words a reading's "
                "when_to_call_emergency must contain to name it.",
                "emergency_phrase",
            )
        if not emergency and data.get("emergency_phrase"):
            raise ma.ValidationError(
                "Only an emergency symptom has an emergency_phrase.", "emergency_phrase"
            )


class TreatmentSchema(_EntrySchema):
    name = _text()
    kind = _choice(TREATMENT_KINDS)
    description = _text()
    sources = _ids(min_count=1)


class ConditionSchema(_EntrySchema):
    name = _text()
    category = _choice(CONDITION_CATEGORIES)
    urgency = _choice(URGENCY_SCALE)
    summary = _text(max_length=160)
    description = _text()
    lip_twitch_link = _text()
    face_sides = _choice(FACE_SIDES)
    onset = _choice(CONDITION_ONSETS)
    symptoms = _ids()
    treatments = _ids()
    see_doctor_when = _text()
    serious = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    sources = _ids(min_count=1)

    @ma.validates_schema
    def _urgent_is_serious(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("urgency") not in COMMON_URGENCIES and not data.get("serious"):
            raise ma.ValidationError(
                "An urgent or emergency condition is serious: set serious: true.", "serious"
            )


class OmenHalfSchema(ma.Schema):
    headline = _text(max_length=80)
    meaning = _text()
    sentiment = _choice(SENTIMENTS)
    beliefs = _ids(min_count=MIN_BELIEFS_PER_READING)
    sources = _ids(min_count=1)


class LikelyCauseSchema(ma.Schema):
    condition = _text()
    why = _text()


class RuleOutSchema(ma.Schema):
    condition = _text()
    signs = _text()


class MedicalHalfSchema(ma.Schema):
    headline = _text(max_length=80)
    explanation = _text()
    urgency = _choice(URGENCY_SCALE)
    likely_causes = fields.List(
        fields.Nested(LikelyCauseSchema), required=True, validate=validate.Length(min=1)
    )
    rule_out = fields.List(
        fields.Nested(RuleOutSchema), required=True, validate=validate.Length(min=1)
    )
    red_flags = _ids(min_count=1)
    self_care = _ids(min_count=1)
    when_to_see_doctor = _text()
    when_to_call_emergency = _text()
    sources = _ids(min_count=1)


class ReadingSchema(_EntrySchema):
    side = _choice(SIDES)
    lip = _choice(LIPS)
    sudden = fields.Boolean(required=True, truthy={True}, falsy={False})
    omen = fields.Nested(OmenHalfSchema, required=True)
    medical = fields.Nested(MedicalHalfSchema, required=True)


# --- Reading files ---------------------------------------------------------------


class _UniqueKeyLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """A safe YAML loader that refuses a key given twice in one mapping.

    It parses with libyaml where PyYAML has it (about three times faster: loading
    the data dominates start-up and the loader tests), else in pure Python.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


class _DataFiles:
    """Reads the YAML files of one data directory, keeping their bytes for the checksum."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.digest = hashlib.sha256()

    def label(self, name: str) -> str:
        return f"{self.data_dir.name}/{name}"

    def read(self, name: str) -> Any:
        path = self.data_dir / name
        if not self.data_dir.is_dir():
            raise DatasetError(str(self.data_dir), "not a directory of data files")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise DatasetError(self.label(name), "file not found") from None
        except OSError as error:
            # A directory or an unreadable file where a data file should be.
            raise DatasetError(self.label(name), f"cannot be read ({error.strerror})") from None
        self.digest.update(name.encode() + b"\0" + raw + b"\0")
        try:
            return yaml.load(raw.decode("utf-8"), Loader=_UniqueKeyLoader)
        except UnicodeDecodeError as error:
            raise DatasetError(self.label(name), f"not UTF-8 text ({error.reason})") from None
        except yaml.YAMLError as error:
            raise DatasetError(self.label(name), f"not valid YAML: {_one_line(error)}") from None

    def entries(self, name: str, schema: ma.Schema) -> list[dict[str, Any]]:
        """Validate every entry of a list file with ``schema``; ids must be unique."""
        document = self.read(name)
        if not isinstance(document, list):
            raise DatasetError(self.label(name), "must be a YAML list of entries")
        entries: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        for position, raw in enumerate(document, start=1):
            entry_name = _entry_name(raw, position)
            if not isinstance(raw, dict):
                raise DatasetError(self.label(name), "must be a mapping of fields", entry_name)
            entry = _validated(schema, raw, self.label(name), entry_name)
            if entry["id"] in seen_ids:
                raise DatasetError(self.label(name), "this id is used twice", entry_name, "id")
            seen_ids.add(entry["id"])
            entries.append(entry)
        return entries

    def mapping(self, name: str, schema: ma.Schema) -> dict[str, Any]:
        document = self.read(name)
        if not isinstance(document, dict):
            raise DatasetError(self.label(name), "must be a YAML mapping of fields")
        return _validated(schema, document, self.label(name), None)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _entry_name(raw: Any, position: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return str(raw["id"])
    return f"#{position}"


def _validated(
    schema: ma.Schema, raw: dict[str, Any], file: str, entry: str | None
) -> dict[str, Any]:
    try:
        result: dict[str, Any] = schema.load(raw)
    except ma.ValidationError as error:
        field, message = _first_error(error.messages)
        raise DatasetError(file, message, entry, field) from None
    return result


def _first_error(messages: Any, path: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """Flatten marshmallow's nested error messages to the first (field path, message)."""
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        return _first_error(value, (*path, str(key)) if key != "_schema" else path)
    if isinstance(messages, list) and messages and not isinstance(messages[0], str):
        return _first_error(messages[0], path)
    text = messages[0] if isinstance(messages, list) else str(messages)
    return (".".join(path) or None), text


# --- Resolving references and dataset-wide rules -----------------------------------


class _Resolver:
    """Turns ids into the objects they name, with an error that locates a bad one."""

    def __init__(self, file: str, entry: str) -> None:
        self.file = file
        self.entry = entry

    def one(self, index: Mapping[str, T], ref: str, field: str, kind: str) -> T:
        try:
            return index[ref]
        except KeyError:
            known = ", ".join(sorted(index)) or "none"
            raise DatasetError(
                self.file, f"unknown {kind} '{ref}' (known: {known})", self.entry, field
            ) from None

    def many(
        self, index: Mapping[str, T], refs: Iterable[str], field: str, kind: str
    ) -> tuple[T, ...]:
        return tuple(self.one(index, ref, f"{field}.{n}", kind) for n, ref in enumerate(refs))


def _by_id(items: Iterable[T]) -> dict[str, T]:
    return {item.id: item for item in items}  # type: ignore[attr-defined]


def _unique(sources: Iterable[Source]) -> tuple[Source, ...]:
    return tuple(dict.fromkeys(sources))


def _build_all(
    files: _DataFiles,
    name: str,
    schema: ma.Schema,
    build: Callable[[dict[str, Any], _Resolver], T],
) -> tuple[T, ...]:
    label = files.label(name)
    return tuple(
        build(entry, _Resolver(label, entry["id"])) for entry in files.entries(name, schema)
    )


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Load, validate and link every file of ``data_dir`` into an immutable ``Dataset``.

    Raises ``DatasetError`` naming the file, entry and field of the first mistake.
    """
    files = _DataFiles(data_dir)
    info = DatasetInfo(**files.mapping("dataset.yaml", DatasetInfoSchema()))

    sources = _build_all(files, "sources.yaml", SourceSchema(), lambda e, _: Source(**e))
    source_index = _by_id(sources)

    def cited(entry: dict[str, Any], resolve: _Resolver) -> tuple[Source, ...]:
        return resolve.many(source_index, entry["sources"], "sources", "source")

    traditions = _build_all(
        files,
        "traditions.yaml",
        TraditionSchema(),
        lambda e, r: Tradition(**{**e, "sources": cited(e, r)}),
    )
    tradition_index = _by_id(traditions)

    def omen(entry: dict[str, Any], resolve: _Resolver) -> Omen:
        sources = cited(entry, resolve)
        attestation = entry["attestation"]
        if attestation != "low_quality_only" and all(s.quality == "low" for s in sources):
            raise DatasetError(
                resolve.file,
                f"a {attestation} belief needs a source of better than low quality; "
                "otherwise mark it low_quality_only",
                resolve.entry,
                "attestation",
            )
        tradition = resolve.one(tradition_index, entry["tradition"], "tradition", "tradition")
        return Omen(**{**entry, "tradition": tradition, "sources": sources})

    omens = _build_all(files, "omens.yaml", OmenSchema(), omen)
    symptoms = _build_all(
        files,
        "symptoms.yaml",
        SymptomSchema(),
        lambda e, r: Symptom(**{**e, "sources": cited(e, r)}),
    )
    treatments = _build_all(
        files,
        "treatments.yaml",
        TreatmentSchema(),
        lambda e, r: Treatment(**{**e, "sources": cited(e, r)}),
    )
    symptom_index, treatment_index = _by_id(symptoms), _by_id(treatments)
    conditions = _build_all(
        files,
        "conditions.yaml",
        ConditionSchema(),
        lambda e, r: Condition(
            **{
                **e,
                "symptoms": r.many(symptom_index, e["symptoms"], "symptoms", "symptom"),
                "treatments": r.many(treatment_index, e["treatments"], "treatments", "treatment"),
                "sources": cited(e, r),
            }
        ),
    )
    links = _Links(source_index, _by_id(omens), _by_id(conditions), treatment_index, symptom_index)
    readings = _build_all(files, "readings.yaml", ReadingSchema(), links.reading)
    _check_every_combination_once(readings, files.label("readings.yaml"))

    dataset = Dataset(
        info=info,
        checksum=files.digest.hexdigest(),
        sources=sources,
        traditions=traditions,
        omens=omens,
        symptoms=symptoms,
        treatments=treatments,
        conditions=conditions,
        readings=readings,
    )
    _check_every_source_is_cited(dataset, files.label("sources.yaml"))
    return dataset


class _Links:
    """Builds readings, linking them to omens, conditions, treatments and sources."""

    def __init__(
        self,
        sources: Mapping[str, Source],
        omens: Mapping[str, Omen],
        conditions: Mapping[str, Condition],
        treatments: Mapping[str, Treatment],
        symptoms: Mapping[str, Symptom],
    ) -> None:
        self.sources = sources
        self.omens = omens
        self.conditions = conditions
        self.treatments = treatments
        self.symptoms = symptoms

    def reading(self, entry: dict[str, Any], resolve: _Resolver) -> Reading:
        side, lip, sudden = entry["side"], entry["lip"], entry["sudden"]
        omen, medical = entry["omen"], entry["medical"]
        beliefs = resolve.many(self.omens, omen["beliefs"], "omen.beliefs", "omen")
        _check_beliefs(beliefs, omen["sentiment"], (side, lip, sudden), resolve)
        causes = self._likely_causes(medical["likely_causes"], resolve)
        rule_out = self._rule_out(medical["rule_out"], resolve)
        red_flags = resolve.many(
            self.symptoms, medical["red_flags"], "medical.red_flags", "symptom"
        )
        _check_red_flags(red_flags, medical, resolve)
        omen_sources = resolve.many(self.sources, omen["sources"], "omen.sources", "source")
        medical_sources = resolve.many(
            self.sources, medical["sources"], "medical.sources", "source"
        )
        return Reading(
            id=entry["id"],
            side=side,
            lip=lip,
            sudden=sudden,
            omen=OmenHalf(
                headline=omen["headline"],
                meaning=omen["meaning"],
                sentiment=omen["sentiment"],
                beliefs=beliefs,
                sources=_unique([*omen_sources, *(s for b in beliefs for s in b.sources)]),
            ),
            medical=MedicalHalf(
                headline=medical["headline"],
                explanation=medical["explanation"],
                urgency=medical["urgency"],
                likely_causes=causes,
                rule_out=rule_out,
                red_flags=red_flags,
                self_care=resolve.many(
                    self.treatments, medical["self_care"], "medical.self_care", "treatment"
                ),
                when_to_see_doctor=medical["when_to_see_doctor"],
                when_to_call_emergency=medical["when_to_call_emergency"],
                sources=_unique(
                    [
                        *medical_sources,
                        *(s for c in causes for s in c.condition.sources),
                        *(s for r in rule_out for s in r.condition.sources),
                    ]
                ),
            ),
        )

    def _likely_causes(
        self, entries: Sequence[dict[str, Any]], resolve: _Resolver
    ) -> tuple[LikelyCause, ...]:
        causes = []
        for n, cause in enumerate(entries):
            field = f"medical.likely_causes.{n}.condition"
            condition = resolve.one(self.conditions, cause["condition"], field, "condition")
            if condition.serious:
                raise DatasetError(
                    resolve.file,
                    f"'{condition.id}' is serious ({condition.urgency}): list it in rule_out; "
                    f"likely causes are common ones at {' or '.join(COMMON_URGENCIES)}",
                    resolve.entry,
                    field,
                )
            causes.append(LikelyCause(condition, cause["why"]))
        return tuple(causes)

    def _rule_out(
        self, entries: Sequence[dict[str, Any]], resolve: _Resolver
    ) -> tuple[RuleOut, ...]:
        rule_out = []
        for n, entry in enumerate(entries):
            field = f"medical.rule_out.{n}.condition"
            condition = resolve.one(self.conditions, entry["condition"], field, "condition")
            if not condition.serious:
                raise DatasetError(
                    resolve.file,
                    f"'{condition.id}' is not serious: list it in likely_causes",
                    resolve.entry,
                    field,
                )
            rule_out.append(RuleOut(condition, entry["signs"]))
        return tuple(rule_out)


def _names(text: str, phrase: str) -> bool:
    """Whether ``text`` contains ``phrase`` starting at a word, ignoring case."""
    return re.search(rf"\b{re.escape(phrase)}", text, re.IGNORECASE) is not None


def _check_red_flags(
    red_flags: Sequence[Symptom], medical: Mapping[str, Any], resolve: _Resolver
) -> None:
    """Emergency advice is consistent with the symptoms a reading lists as red flags.

    Every reading flags one-sided facial droop; its emergency text names every
    emergency symptom it flags (by the symptom's ``emergency_phrase``), and its
    see-a-doctor text names none, so no emergency sign is ever told to wait.
    """
    droop = next((s for s in red_flags if s.id == FACIAL_DROOP_SYMPTOM), None)
    if droop is None or droop.urgency != "emergency":
        raise DatasetError(
            resolve.file,
            f"every reading must list '{FACIAL_DROOP_SYMPTOM}' among its red flags, "
            "at emergency urgency",
            resolve.entry,
            "medical.red_flags",
        )
    for symptom in red_flags:
        phrase = symptom.emergency_phrase
        if phrase is None:
            continue
        if not _names(medical["when_to_call_emergency"], phrase):
            raise DatasetError(
                resolve.file,
                f"does not name the emergency red flag '{symptom.id}': "
                f"the text must contain '{phrase}'",
                resolve.entry,
                "medical.when_to_call_emergency",
            )
        if _names(medical["when_to_see_doctor"], phrase):
            raise DatasetError(
                resolve.file,
                f"names the emergency red flag '{symptom.id}' ('{phrase}'): "
                "emergency signs belong in when_to_call_emergency only",
                resolve.entry,
                "medical.when_to_see_doctor",
            )


def _check_beliefs(
    beliefs: Sequence[Omen],
    sentiment: str,
    combination: tuple[str, str, bool],
    resolve: _Resolver,
) -> None:
    """A reading's beliefs fit it, span enough traditions, and agree with its sentiment."""
    for position, belief in enumerate(beliefs):
        if not belief.applies_to(*combination):
            raise DatasetError(
                resolve.file,
                f"omen '{belief.id}' is about side={belief.side}, lip={belief.lip}, "
                f"onset={belief.onset}, which does not fit this reading",
                resolve.entry,
                f"omen.beliefs.{position}",
            )
    if len({belief.tradition.id for belief in beliefs}) < MIN_TRADITIONS_PER_READING:
        raise DatasetError(
            resolve.file,
            f"beliefs must come from at least {MIN_TRADITIONS_PER_READING} traditions",
            resolve.entry,
            "omen.beliefs",
        )
    documented = [belief for belief in beliefs if belief.attestation == "documented"]
    if len(documented) < MIN_DOCUMENTED_BELIEFS_PER_READING:
        raise DatasetError(
            resolve.file,
            f"at least {MIN_DOCUMENTED_BELIEFS_PER_READING} belief must be documented",
            resolve.entry,
            "omen.beliefs",
        )
    expected = sentiment_of(belief.sentiment for belief in beliefs)
    if sentiment != expected:
        listed = ", ".join(f"{belief.id}={belief.sentiment}" for belief in beliefs)
        raise DatasetError(
            resolve.file,
            f"sentiment {sentiment} does not agree with the beliefs listed ({listed}); "
            f"they make it {expected}",
            resolve.entry,
            "omen.sentiment",
        )


def _check_every_combination_once(readings: Sequence[Reading], file: str) -> None:
    seen: dict[tuple[str, str, bool], str] = {}
    for reading in readings:
        key = (reading.side, reading.lip, reading.sudden)
        if key in seen:
            raise DatasetError(
                file,
                f"a second reading for side={key[0]}, lip={key[1]}, sudden={str(key[2]).lower()} "
                f"(the first is '{seen[key]}')",
                reading.id,
                "side",
            )
        seen[key] = reading.id
    for side, lip, sudden in product(SIDES, LIPS, (True, False)):
        if (side, lip, sudden) not in seen:
            raise DatasetError(
                file, f"no reading for side={side}, lip={lip}, sudden={str(sudden).lower()}"
            )


def _check_every_source_is_cited(dataset: Dataset, file: str) -> None:
    citing: list[Iterable[Source]] = [
        *(entry.sources for entry in dataset.traditions),
        *(entry.sources for entry in dataset.omens),
        *(entry.sources for entry in dataset.symptoms),
        *(entry.sources for entry in dataset.treatments),
        *(entry.sources for entry in dataset.conditions),
        *(reading.omen.sources for reading in dataset.readings),
        *(reading.medical.sources for reading in dataset.readings),
    ]
    cited = {source.id for group in citing for source in group}
    for source in dataset.sources:
        if source.id not in cited:
            raise DatasetError(file, "no entry cites this source", source.id, "id")
