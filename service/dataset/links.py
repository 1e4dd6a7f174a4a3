"""Readings: linked to the omens, conditions, symptoms and treatments they name, and checked.

A reading's beliefs must fit its side, lip and onset, span enough traditions and agree
with its sentiment; its medical half keeps serious conditions in ``rule_out``, always
flags facial droop, and names every emergency red flag in its emergency text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import product
from typing import Any

from .errors import DatasetError
from .models import (
    LIPS,
    SIDES,
    Condition,
    LikelyCause,
    MedicalHalf,
    Omen,
    OmenHalf,
    Reading,
    RuleOut,
    Source,
    Symptom,
    Treatment,
    sentiment_of,
)
from .resolve import Resolver, unique_sources
from .schemas import COMMON_URGENCIES

MIN_TRADITIONS_PER_READING = 3
MIN_DOCUMENTED_BELIEFS_PER_READING = 1
FACIAL_DROOP_SYMPTOM = "sudden-facial-droop"
"""The red flag every reading must carry, at emergency urgency (NHS: call 999 if the face
droops on one side; Stroke Association: one failed FAST test means dial 999)."""


class ReadingLinks:
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

    def reading(self, entry: dict[str, Any], resolve: Resolver) -> Reading:
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
                sources=unique_sources([*omen_sources, *(s for b in beliefs for s in b.sources)]),
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
                sources=medical_sources,
            ),
        )

    def _likely_causes(
        self, entries: Sequence[dict[str, Any]], resolve: Resolver
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
        self, entries: Sequence[dict[str, Any]], resolve: Resolver
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
    red_flags: Sequence[Symptom], medical: Mapping[str, Any], resolve: Resolver
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
    resolve: Resolver,
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


def check_every_combination_once(readings: Sequence[Reading], file: str) -> None:
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
