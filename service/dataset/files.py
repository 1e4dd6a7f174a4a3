"""Reading the YAML files of a data directory: safe parsing, checksum, entry validation."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml

from .errors import DatasetError


class _UniqueKeyLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """A safe YAML loader that refuses a key given twice in one mapping.

    It parses with libyaml where PyYAML has it (about three times faster: loading
    the data dominates start-up and the loader tests), else in pure Python.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def parse_yaml(text: str) -> Any:
    """One YAML document parsed safely; a key given twice is a ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_UniqueKeyLoader)


class DataFiles:
    """Reads the YAML files of one data directory, keeping their bytes for the checksum."""

    def __init__(self, data_dir: Path, parent: DataFiles | None = None) -> None:
        """Files of ``data_dir``; a folder inside another's (``parent``) shares its checksum
        and is labelled from the parent's name (``data/translations/es/omens.yaml``)."""
        self.data_dir = data_dir
        self.digest: hashlib._Hash = parent.digest if parent else hashlib.sha256()
        self._inside: str = (
            parent.path(data_dir.relative_to(parent.data_dir).as_posix()) if parent else ""
        )
        self._prefix: str = parent._prefix if parent else data_dir.name

    def path(self, name: str) -> str:
        """``name``'s path from the top data folder (``translations/es/omens.yaml``)."""
        return f"{self._inside}/{name}" if self._inside else name

    def label(self, name: str) -> str:
        return f"{self._prefix}/{self.path(name)}"

    def folder(self, name: str) -> DataFiles:
        """The files of the folder ``name`` inside this one, sharing this checksum."""
        return DataFiles(self.data_dir / name, self)

    def read(self, name: str) -> Any:
        path = self.data_dir / name
        if not self.data_dir.is_dir():
            raise DatasetError(str(self.data_dir), "not a directory of data files")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise DatasetError(self.label(name), "file not found") from None
        except OSError as error:
            # A directory or an unreadable file where a data file should be.
            raise DatasetError(self.label(name), f"cannot be read ({error.strerror})") from None
        self.digest.update(self.path(name).encode() + b"\0" + raw + b"\0")
        try:
            return parse_yaml(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise DatasetError(self.label(name), f"not UTF-8 text ({error.reason})") from None
        except yaml.YAMLError as error:
            raise DatasetError(self.label(name), f"not valid YAML: {_one_line(error)}") from None

    def entries(self, name: str, schema: ma.Schema) -> list[dict[str, Any]]:
        """Validate every entry of a list file with ``schema``; ids must be unique."""
        document = self.read(name)
        if not isinstance(document, list):
            raise DatasetError(self.label(name), "must be a YAML list of entries")
        entries: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        for position, raw in enumerate(document, start=1):
            entry_name = _entry_name(raw, position)
            if not isinstance(raw, dict):
                raise DatasetError(self.label(name), "must be a mapping of fields", entry_name)
            entry = _validated(schema, raw, self.label(name), entry_name)
            if entry["id"] in seen_ids:
                raise DatasetError(self.label(name), "this id is used twice", entry_name, "id")
            seen_ids.add(entry["id"])
            entries.append(entry)
        return entries

    def mapping(self, name: str, schema: ma.Schema) -> dict[str, Any]:
        document = self.read(name)
        if not isinstance(document, dict):
            raise DatasetError(self.label(name), "must be a YAML mapping of fields")
        return _validated(schema, document, self.label(name), None)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _entry_name(raw: Any, position: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return str(raw["id"])
    return f"#{position}"


def _validated(
    schema: ma.Schema, raw: dict[str, Any], file: str, entry: str | None
) -> dict[str, Any]:
    try:
        result: dict[str, Any] = schema.load(raw)
    except ma.ValidationError as error:
        field, message = _first_error(error.messages)
        raise DatasetError(file, message, entry, field) from None
    return result


def _first_error(messages: Any, path: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """Flatten marshmallow's nested error messages to the first (field path, message)."""
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        return _first_error(value, (*path, str(key)) if key != "_schema" else path)
    if isinstance(messages, list) and messages and not isinstance(messages[0], str):
        return _first_error(messages[0], path)
    text = messages[0] if isinstance(messages, list) else str(messages)
    return (".".join(path) or None), text
