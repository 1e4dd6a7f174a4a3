"""Check a dataset directory: ``python -m service.dataset [DATA_DIR]``.

Prints a summary and exits 0 when the dataset is valid; prints the first
mistake (file, entry, field) and exits 1 when it is not.
"""

import sys
from pathlib import Path

from . import DATA_DIR, DatasetError, load_dataset


def main(argv: list[str]) -> int:
    """Validate the dataset in ``argv[0]`` (default: the shipped ``data/``)."""
    data_dir = Path(argv[0]) if argv else DATA_DIR
    try:
        dataset = load_dataset(data_dir)
    except DatasetError as error:
        print(f"invalid dataset: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{count} {kinds}" for kinds, count in dataset.counts().items())
    print(f"{data_dir}: valid, version {dataset.info.version}: {counts}; sha256 {dataset.checksum}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
