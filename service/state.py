"""What ``create_app`` builds once and every request reads: one typed, frozen object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app

from .api.catalogue import Catalogues
from .dataset import Dataset
from .edge.rate_limit import ClientRateLimiter
from .language import request_language

EXTENSION_NAME = "twitchlore"


@dataclass(frozen=True)
class AppState:
    """The served dataset in each language, the answers built from it, and the rate limiter."""

    datasets: Mapping[str, Dataset]
    """The dataset in each served language, by tag, English first."""
    catalogues: Mapping[str, Catalogues]
    """The answers built ahead of time in each language, by tag."""
    rate_limiter: ClientRateLimiter

    @property
    def dataset(self) -> Dataset:
        """The English dataset: ids, enums and numbers, the same in every language."""
        return next(iter(self.datasets.values()))

    def localized(self) -> Dataset:
        """The dataset in the current request's language."""
        return self.datasets[request_language()]

    def answers(self) -> Catalogues:
        """The answers in the current request's language."""
        return self.catalogues[request_language()]


def install(app: Flask, state: AppState) -> None:
    """Attach ``state`` to ``app``."""
    app.extensions[EXTENSION_NAME] = state


def app_state() -> AppState:
    """The state of the app handling the current request."""
    state: AppState = current_app.extensions[EXTENSION_NAME]
    return state
