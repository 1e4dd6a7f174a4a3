"""The service's version: the package's, the spec's ``info.version`` (Semantic Versioning).

``pyproject.toml`` reads it from here, so it is written in one place. The dataset has a
version of its own (``data/dataset.yaml``).
"""

VERSION = "1.0.0"
RELEASED = "2026-12-04"
"""The date of this version's release, as CHANGELOG.md gives it (a test checks they agree)."""
