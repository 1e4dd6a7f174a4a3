"""The curated dataset: models, loading with validation, and queries.

This package is the domain layer: it knows nothing of Flask or HTTP.
"""

from .errors import DatasetError
from .loader import DATA_DIR, load_dataset, load_datasets
from .models import LIPS, SIDES, URGENCY_SCALE
from .queries import Dataset
from .rules import KIND_RULES, KindRule

__all__ = [
    "DATA_DIR",
    "LIPS",
    "SIDES",
    "URGENCY_SCALE",
    "Dataset",
    "DatasetError",
    "KIND_RULES",
    "KindRule",
    "load_dataset",
    "load_datasets",
]
