"""What ``create_app`` builds once and every request reads: one typed, frozen object."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from .api.catalogue import Catalogues
from .dataset import Dataset
from .edge.rate_limit import ClientRateLimiter

EXTENSION_NAME = "twitchlore"


@dataclass(frozen=True)
class AppState:
    """The served dataset, the answers built from it, and the rate limiter."""

    dataset: Dataset
    catalogues: Catalogues
    rate_limiter: ClientRateLimiter


def install(app: Flask, state: AppState) -> None:
    """Attach ``state`` to ``app``."""
    app.extensions[EXTENSION_NAME] = state


def app_state() -> AppState:
    """The state of the app handling the current request."""
    state: AppState = current_app.extensions[EXTENSION_NAME]
    return state
