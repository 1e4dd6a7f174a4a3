"""The API's resources, in the order the spec lists them, registered on one app."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask import Flask

from ..dataset import Dataset
from ..dataset.models import Reading
from . import (
    cards,
    conditions,
    daily,
    dataset_info,
    export,
    languages,
    omens,
    readings,
    sources,
    symptoms,
    traditions,
    treatments,
)
from .base import AcceptLanguageDocumented, AlwaysPresentProperties, Api, Blueprint
from .catalogue import Catalogues
from .examples import fill_examples, real_answers
from .schema_fields import enum_reference, known_ids_as_enum, served_languages_as_enum

API_DESCRIPTION = """\
Twitchlore answers one question: *my left or right, upper or lower lip twitched,
suddenly or not: what does it mean?* Every answer has two halves drawn from one
curated dataset: the **omen** (what folklore traditions say, with their sources)
and its **medical counterpart** (what usually causes such a twitch, what helps,
and the red flags that mean a doctor or emergency services).

The omen is folklore, offered for entertainment. The medical half is general
information, not medical advice or a diagnosis.

Errors are RFC 9457 problem details (`application/problem+json`).

[About Twitchlore](/) · [README](/readme) · [Licence (MIT)](/license) ·
[The dataset (CC BY 4.0)](/v1/dataset) · [Spec (JSON)](/openapi.json)
"""

SPEC_KWARGS = {
    "info": {
        "description": API_DESCRIPTION,
        "license": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"},
        "contact": {"name": "Twitchlore contributors", "url": "/readme"},
    },
    "servers": [
        {"url": "/", "description": "This service (the host that served this document)"},
        {"url": "http://127.0.0.1:8000", "description": "A local copy started with make run"},
    ],
    "extra_plugins": [AlwaysPresentProperties(), AcceptLanguageDocumented()],
}
"""What the spec says of itself; ``info.version`` is the package's (``service.version``)."""

CATALOGUES = (
    omens.declaration,
    traditions.declaration,
    conditions.declaration,
    symptoms.declaration,
    treatments.declaration,
    sources.declaration,
)
"""Every kind served as a list and by id, in spec order: each kind the dataset loads (its
rule in ``service.dataset.rules``) has its declaration here, and nothing else to add."""


class UndeclaredKindError(RuntimeError):
    """The kinds the dataset loads and the kinds the API declares differ."""


def check_every_kind_is_declared(dataset: Dataset) -> None:
    """Refuse to start when a loaded kind has no declaration, or a declared kind no rule."""
    declared = [declaration.kind for declaration in CATALOGUES]
    for kind in dataset.entries:
        if kind not in declared:
            raise UndeclaredKindError(
                f"the dataset loads {kind} entries but the API does not serve them: "
                "add their CatalogueDeclaration to CATALOGUES in service/api/resources.py"
            )
    for kind in declared:
        if kind not in dataset.entries:
            raise UndeclaredKindError(
                f"the API declares {kind} entries but the dataset does not load them: "
                "add their KindRule to KIND_RULES in service/dataset/rules.py"
            )


class AnswersByLanguage(Mapping[str, Catalogues]):
    """Every answer built ahead of time, by language tag: a language's are built the first
    time it is asked for (or all at once by ``build_all``), then kept.

    Its datasets were loaded and checked whole before (every translation at start-up); only
    the serialising of each language's answers waits for that language's first use. Two
    first uses at once may build twice: the first kept is the one every later use gets.
    """

    def __init__(
        self, datasets: Mapping[str, Dataset], api_version: str, public_url: str | None = None
    ) -> None:
        """Answers in each language of ``datasets``; cards and readings link the service's
        ``public_url`` where they can; the export names ``api_version``."""
        self._datasets = datasets
        self._api_version = api_version
        self._public_url = public_url
        self._listed = languages.languages_answer(datasets)
        self._built: dict[str, Catalogues] = {}

    def __getitem__(self, tag: str) -> Catalogues:
        if tag not in self._built:
            return self._built.setdefault(tag, self._build(tag, self._datasets[tag]))
        return self._built[tag]

    def __contains__(self, tag: object) -> bool:
        return tag in self._datasets

    def __iter__(self) -> Iterator[str]:
        return iter(self._datasets)

    def __len__(self) -> int:
        return len(self._datasets)

    def built(self) -> list[str]:
        """The tags of the languages whose answers are built so far."""
        return list(self._built)

    def build_all(self) -> None:
        """Build every language's answers now (a server does it before it forks workers)."""
        for tag in self:
            self[tag]

    def _build(self, tag: str, dataset: Dataset) -> Catalogues:
        reading_book = readings.reading_book(dataset, self._public_url)
        card_book = cards.card_book(dataset, self._public_url)

        def reading_and_card(reading: Reading) -> tuple[bytes, bytes]:
            key = (reading.side, reading.lip, reading.sudden)
            return reading_book.answer(*key).body, card_book.answer(*key).body

        kinds = {declaration.kind: declaration.catalogue(dataset) for declaration in CATALOGUES}
        every_language = [each.language for each in self._datasets.values()]
        described = dataset_info.dataset_answer(dataset, every_language)
        days = daily.DailyBook(dataset, reading_and_card)
        return Catalogues(
            kinds=kinds,
            readings=reading_book,
            cards=card_book,
            dataset=described,
            languages=self._listed,
            daily=days,
            export=export.ExportBook(
                tag, kinds, reading_book, card_book, described, days, self._api_version
            ),
        )


def init_app(app: Flask, datasets: Mapping[str, Dataset], *more: Blueprint) -> AnswersByLanguage:
    """Register every resource (then ``more`` blueprints) and build their answers in each
    language of ``datasets`` (English first): all at start-up, or in testing (the tests make
    many apps, most never asked in another language) English now and each other language on
    its first use."""
    dataset = next(iter(datasets.values()))
    check_every_kind_is_declared(dataset)
    api = Api(app, spec_kwargs=SPEC_KWARGS)
    api.ma_plugin.converter.add_attribute_function(enum_reference)
    api.ma_plugin.converter.add_attribute_function(known_ids_as_enum(dataset))
    api.ma_plugin.converter.add_attribute_function(served_languages_as_enum(list(datasets)))
    answers = AnswersByLanguage(datasets, app.config["API_VERSION"], app.config.get("PUBLIC_URL"))
    catalogues = answers[dataset.language.tag]
    if not app.testing:
        answers.build_all()
    readings.register_reading_ids(api, catalogues.readings)
    for blueprint in (
        readings.blp,
        cards.blp,
        daily.blp,
        *(declaration.blueprint for declaration in CATALOGUES),
        dataset_info.blp,
        languages.blp,
        export.blueprint(CATALOGUES),
        *more,
    ):
        api.register_blueprint(blueprint)
    schemas = {
        "reading": readings.ReadingSchema,
        "card": cards.CardSchema,
        "dataset": dataset_info.DatasetSchema,
        "languages": languages.LanguagesSchema,
        **{declaration.kind: declaration.item_schema for declaration in CATALOGUES},
    }
    fill_examples(api, real_answers(catalogues, schemas))
    return answers
