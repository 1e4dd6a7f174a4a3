"""The one error a broken dataset raises: it names the file, the entry and the field."""

from __future__ import annotations


class DatasetError(RuntimeError):
    """A mistake in a dataset file, located by file, entry and field.

    ``python -m service`` prints it as one plain line (``Error: ...``) and exits,
    instead of a traceback.
    """

    def __init__(
        self, file: str, message: str, entry: str | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message
        where = [file]
        if entry is not None:
            where.append(f"entry '{entry}'")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{': '.join(where)}: {message}")
