"""Immutable domain objects of the curated dataset.

Every collection is a tuple and every object is a frozen dataclass, so the
dataset cannot change after it has been loaded and validated. References
between entries are resolved at load time: a reading holds its omen and
condition objects, not their ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

SIDES = ("left", "right")
LIPS = ("upper", "lower")
URGENCY_SCALE = ("self_care", "see_doctor", "urgent", "emergency")
"""Urgency levels, least urgent first; a reading's urgency is one of these."""

SENTIMENTS = ("good", "bad", "neutral", "mixed")
ATTESTATIONS = ("documented", "reported", "low_quality_only")
"""How well a belief is attested, best first.

documented: a folklore record, classical text or reference work, read in the original or in a
faithful reproduction, names the lip (or lips) and the reading; reported: a publisher better
than a content farm (a newspaper, a news site) reports the belief as something people say, with
no record behind it, or a record gives the rule for the whole body and no source applies it to
the lips; low_quality_only: only content farms, omen sites, personal blogs or an unattributed
article give it.
"""
MIN_INDEPENDENT_COPIES = 2
"""A documented belief whose only sources are copies (each rated low) needs copies from at
least this many different publishers, so that one copyist's slip cannot make a record."""
CONDITION_CATEGORIES = (
    "lifestyle",
    "emotional",
    "physical",
    "nutritional",
    "injury",
    "infection",
    "neurological",
    "endocrine",
    "genetic",
    "medication",
)
TREATMENT_KINDS = ("prevention", "self_care", "physiotherapy", "medical")
SOURCE_KINDS = ("medical", "folklore", "general")
SOURCE_QUALITIES = ("authoritative", "reputable", "low")
FACE_SIDES = ("one_side", "both_sides", "either")
CONDITION_ONSETS = ("sudden", "gradual", "either")
OMEN_SIDES = (*SIDES, "any")
OMEN_LIPS = (*LIPS, "any")
OMEN_ONSETS = ("sudden", "gradual", "any")


@dataclass(frozen=True)
class Source:
    """A page or document that backs entries of the dataset."""

    id: str
    title: str
    url: str | None
    file: str | None
    publisher: str
    kind: str
    quality: str
    supports: str
    date: str | None = None
    """The date the page shows (published, updated or reviewed), as it gives it."""
    language: str = "en"
    """The BCP 47 tag of the page's language."""
    copy_of: str | None = None
    """The publisher (and work) whose text this page reproduces, when the page is a copy of
    another publisher's text (a site re-posting NHS pages, a blog retyping a book). A copy is
    rated ``low`` whoever wrote the text, unless it is a ``facsimile``."""
    facsimile: bool = False
    """The copy shows the original's own printed pages beside its text (Wikisource page
    scans), so a reader checks every word against the original; such a copy keeps the
    original's rating."""


@dataclass(frozen=True)
class Tradition:
    """A culture or body of folklore that omens come from."""

    id: str
    name: str
    region: str
    period: str
    description: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Original:
    """A belief's own words, quoted as its source gives them, in the source's language."""

    language: str
    """The BCP 47 tag of the words' language (``ota`` Ottoman Turkish, ``hi``, ``ru``...)."""
    text: str
    """The words as the source prints them, in its script."""
    transliteration: str | None = None
    """The words in Latin letters; always given when ``text`` is in another script."""


@dataclass(frozen=True)
class Omen:
    """One folklore belief about a lip twitch, from one tradition."""

    id: str
    tradition: Tradition
    side: str
    lip: str
    onset: str
    sentiment: str
    headline: str
    text: str
    attestation: str
    attestation_note: str | None
    sources: tuple[Source, ...]
    original: Original | None = None
    """The belief in its source's own language and words, where the source is not English."""

    def applies_to(self, side: str, lip: str, sudden: bool) -> bool:
        """Whether this belief speaks about a twitch of this side, lip and onset."""
        return (
            self.speaks_of_side(side) and self.speaks_of_lip(lip) and self.speaks_of_onset(sudden)
        )

    def speaks_of_side(self, side: str) -> bool:
        """Whether this belief speaks of ``side`` (or of either side)."""
        return self.side in (side, "any")

    def speaks_of_lip(self, lip: str) -> bool:
        """Whether this belief speaks of ``lip`` (or of either lip)."""
        return self.lip in (lip, "any")

    def speaks_of_onset(self, sudden: bool) -> bool:
        """Whether this belief speaks of a sudden (or gradual) twitch, or of either onset."""
        return self.onset in ("sudden" if sudden else "gradual", "any")


def sentiment_of(sentiments: Iterable[str]) -> str:
    """The one sentiment that sums up beliefs with these sentiments.

    Good and bad beliefs together (or any mixed one) make ``mixed``; neutral beliefs
    do not change a good or bad lean; only neutral beliefs make ``neutral``.
    """
    found = set(sentiments)
    good = bool(found & {"good", "mixed"})
    bad = bool(found & {"bad", "mixed"})
    if good and bad:
        return "mixed"
    if good:
        return "good"
    return "bad" if bad else "neutral"


@dataclass(frozen=True)
class Symptom:
    """A symptom that can come with a lip twitch, and how urgent it makes it."""

    id: str
    name: str
    description: str
    urgency: str
    advice: str
    sources: tuple[Source, ...]
    emergency_phrase: str | None = None
    """For an emergency symptom: the words a reading's emergency text must contain."""


@dataclass(frozen=True)
class Treatment:
    """A treatment, physiotherapy exercise, self-care step or preventive measure."""

    id: str
    name: str
    kind: str
    description: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Condition:
    """A cause of lip twitching or a condition it can belong to, benign to serious."""

    id: str
    name: str
    category: str
    urgency: str
    summary: str
    description: str
    lip_twitch_link: str
    face_sides: str
    onset: str
    symptoms: tuple[Symptom, ...]
    treatments: tuple[Treatment, ...]
    see_doctor_when: str
    sources: tuple[Source, ...]
    serious: bool = False
    """A condition a doctor would rule out: listed in a reading's ``rule_out``, never
    among its likely causes. Every urgent or emergency condition is serious."""


@dataclass(frozen=True)
class LikelyCause:
    """A common, usually harmless condition a reading points to, with why it fits."""

    condition: Condition
    why: str


@dataclass(frozen=True)
class RuleOut:
    """A serious condition a doctor would rule out, with the signs that point to it."""

    condition: Condition
    signs: str


@dataclass(frozen=True)
class OmenHalf:
    """The folklore half of a reading."""

    headline: str
    meaning: str
    sentiment: str
    beliefs: tuple[Omen, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class MedicalHalf:
    """The medical half of a reading."""

    headline: str
    explanation: str
    urgency: str
    likely_causes: tuple[LikelyCause, ...]
    rule_out: tuple[RuleOut, ...]
    red_flags: tuple[Symptom, ...]
    self_care: tuple[Treatment, ...]
    when_to_see_doctor: str
    when_to_call_emergency: str
    sources: tuple[Source, ...]
    """The sources of this half's own text; each linked entry cites its own."""
    reported_symptoms: tuple[Symptom, ...] = ()
    """Symptoms someone reported with the twitch; empty in the curated reading."""


@dataclass(frozen=True)
class Reading:
    """The curated answer for one side, lip and onset: an omen and its medical counterpart."""

    id: str
    side: str
    lip: str
    sudden: bool
    omen: OmenHalf
    medical: MedicalHalf


@dataclass(frozen=True)
class Language:
    """A language the dataset is served in, and how its text was made."""

    tag: str
    """Its BCP 47 tag: ``en``, ``es``, ``hi``, ``tr``."""
    name: str
    """Its name in itself (``Español``)."""
    english_name: str
    method: str
    """How the text in this language was made, in one plain sentence in that language."""
    reviewed_by_native_speaker: bool
    strings: int = 0
    """How many strings the language has: every text field of the dataset and interface."""


@dataclass(frozen=True)
class DatasetInfo:
    """Metadata of the dataset as a whole."""

    title: str
    version: str
    licence: str
    disclaimer: str
    released: dt.date
    """The date this version of the data was released: the answers' Last-Modified."""
