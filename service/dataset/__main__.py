"""Check a dataset directory: ``python -m service.dataset [DATA_DIR]``.

Prints a summary (with every language and its number of strings) and exits 0 when the
dataset and every translation are valid; prints the first
mistake (file, entry, field) and exits 1 when it is not.
"""

import sys
from pathlib import Path

from . import DATA_DIR, DatasetError, load_datasets


def main(argv: list[str]) -> int:
    """Validate the dataset in ``argv[0]`` (default: the shipped ``data/``)."""
    data_dir = Path(argv[0]) if argv else DATA_DIR
    try:
        datasets = load_datasets(data_dir)
    except DatasetError as error:
        print(f"invalid dataset: {error}", file=sys.stderr)
        return 1
    dataset = datasets["en"]
    counts = ", ".join(f"{count} {kinds}" for kinds, count in dataset.counts().items())
    print(f"{data_dir}: valid, version {dataset.info.version}: {counts}; sha256 {dataset.checksum}")
    languages = ", ".join(
        f"{tag} ({localized.language.english_name}, {localized.language.strings} strings)"
        for tag, localized in datasets.items()
    )
    print(f"languages: {languages}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
