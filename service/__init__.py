"""Twitchlore: lip-twitch omens from folklore, paired with their medical counterpart."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from .edge import metric_files

# Before any module creates a metric: workers' metrics files that survive faults.
metric_files.install()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the application: load and validate the dataset, then register the API.

    ``config`` overrides settings read from the environment (tests use it).
    A broken dataset raises ``DatasetError`` here, before any request is served.
    """
    # Imported here, not above, so that `python -m service` (which imports this package
    # first) checks the server settings before anything creates Prometheus metrics.
    from . import language, retirement, state
    from .api import images, operations, prebuilt, resources
    from .config import API_SETTINGS, settings_from_env
    from .dataset import load_datasets
    from .edge import answer_headers, front, observability
    from .edge.checks import API_PREFIX
    from .edge.rate_limit import ClientRateLimiter
    from .pages import daily, docs, home, share_image, shared, widget

    app = Flask(__name__, static_folder=None, template_folder="pages/templates")
    app.config.update(API_SETTINGS)
    app.config.update(settings_from_env())
    app.config.update(config or {})
    datasets = load_datasets(Path(app.config["DATA_DIR"]))
    words = {tag: dataset.interface for tag, dataset in datasets.items()}
    language.install(app, words)
    app.config.setdefault(
        "LAST_MODIFIED", prebuilt.last_modified(next(iter(datasets.values())).info.released)
    )
    access_log = observability.init_app(app)
    answer_headers.init_app(app)
    docs.init_app(app)
    widget.init_app(app, words)
    home.init_app(app)
    shared.init_app(app)
    daily.init_app(app)
    retirement.init_app(app, API_PREFIX)
    app.register_blueprint(operations.blp)
    share_image.install(app)
    catalogues = resources.init_app(app, datasets, images.blp)
    docs.serve_spec_once(app)
    limiter = ClientRateLimiter.from_settings(app.config)
    state.install(app, state.AppState(datasets, catalogues, limiter))
    front.install(app, limiter, access_log, (API_PREFIX, *shared.PAGE_PREFIXES))
    return app
