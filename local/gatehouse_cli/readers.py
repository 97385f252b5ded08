"""Reading the originals' natural exports: CSV, mongoexport JSON, mysqldump INSERTs, a JSON document.

Readers never guess an encoding: UTF-8 (with or without a BOM) unless `--encoding` names one,
so a cp1251 file is refused with a message instead of being imported as mojibake.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Record = dict[str, Any]
_NULLS = frozenset({"", "NULL", "\\N"})


class SourceError(Exception):
    """A file that cannot be read at all (the run stops before writing anything)."""


@dataclass(frozen=True)
class Line:
    """One record of a file and where it was."""

    file: str
    line: int
    values: Record


def read_text(path: Path, encoding: str | None) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror}") from None
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise SourceError(f"{path.name}: cannot be read as {encoding}: {error}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{path.name}: not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "name its encoding with --encoding (e.g. --encoding cp1251)"
        ) from None


def table_of(path: Path) -> str:
    """`users.csv`, `users.json`, `users_roles.csv` → the table the file holds."""
    return path.name.split(".", 1)[0].lower()


def csv_records(path: Path, encoding: str | None) -> Iterator[Line]:
    text = read_text(path, encoding)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise SourceError(f"{path.name}: no header row")
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    for record in reader:
        values = {
            name: None if value is None or value.strip() in _NULLS else value.strip()
            for name, value in record.items()
            if name is not None
        }
        if None in record:
            values["__extra__"] = record[None]
        yield Line(path.name, reader.line_num, values)


def json_records(path: Path, encoding: str | None) -> Iterator[Line]:
    """mongoexport output: one document per line (the default) or one array (`--jsonArray`)."""
    text = read_text(path, encoding)
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            documents = json.loads(text)
        except json.JSONDecodeError as error:
            raise SourceError(f"{path.name}: not JSON ({error.msg}, line {error.lineno})") from None
        for index, document in enumerate(documents, start=1):
            yield Line(
                path.name, index, document if isinstance(document, dict) else {"__invalid__": document}
            )
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as error:
            yield Line(path.name, number, {"__invalid__": f"not JSON: {error.msg}"})
            continue
        yield Line(path.name, number, document if isinstance(document, dict) else {"__invalid__": raw})


def json_document(path: Path, encoding: str | None) -> Any:
    text = read_text(path, encoding)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{path.name}: not JSON ({error.msg}, line {error.lineno})") from None


def extended(value: Any) -> Any:
    """mongoexport's extended JSON: {"$oid": …} → the hex id, {"$date": …} → the ISO instant."""
    if isinstance(value, dict):
        if "$oid" in value:
            return value["$oid"]
        if "$date" in value:
            date = value["$date"]
            return date.get("$numberLong") if isinstance(date, dict) else date
        if "$numberLong" in value:
            return value["$numberLong"]
        if "$numberInt" in value:
            return value["$numberInt"]
    return value


# ---- mysqldump ----

_CREATE = re.compile(r"CREATE TABLE `?(\w+)`?\s*\((.*?)\n\)\s*[^;]*;", re.S | re.I)
_COLUMN = re.compile(r"^\s*`(\w+)`\s", re.M)
_INSERT = re.compile(r"INSERT(?:\s+IGNORE)?\s+INTO\s+`?(\w+)`?\s*(\(([^)]*)\))?\s*VALUES\s*", re.I)


def sql_records(path: Path, encoding: str | None) -> Iterator[tuple[str, Line]]:
    """(table, record) for every row of every `INSERT INTO` in a mysqldump file. Columns come from
    the INSERT's own list (`--complete-insert`) or else from the table's `CREATE TABLE`."""
    text = read_text(path, encoding)
    columns: dict[str, list[str]] = {
        match.group(1).lower(): _COLUMN.findall(match.group(2)) for match in _CREATE.finditer(text)
    }
    position = 0
    # Line numbers counted incrementally: a dump's INSERT can hold a whole table.
    line_number, counted_to = 1, 0
    while True:
        match = _INSERT.search(text, position)
        if match is None:
            return
        table = match.group(1).lower()
        names = (
            [name.strip().strip("`").lower() for name in match.group(3).split(",")]
            if match.group(3)
            else [name.lower() for name in columns.get(table, [])]
        )
        position = match.end()
        while True:
            line_number += text.count("\n", counted_to, position)
            counted_to = position
            try:
                values, position = _tuple(text, position, path.name)
            except IndexError:
                raise SourceError(f"{path.name}: the INSERT at line {line_number} is cut off") from None
            record: Record
            if not names:
                record = {"__invalid__": f"INSERT INTO {table} without columns and no CREATE TABLE for it"}
            elif len(values) != len(names):
                record = {"__invalid__": f"{len(values)} values for {len(names)} columns"}
            else:
                record = dict(zip(names, values, strict=True))
            yield table, Line(path.name, line_number, record)
            while position < len(text) and text[position] in " \t\r\n":
                position += 1
            if position < len(text) and text[position] == ",":
                position += 1
                while position < len(text) and text[position] in " \t\r\n":
                    position += 1
                continue
            break


_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}


def _tuple(text: str, position: int, name: str) -> tuple[list[str | None], int]:
    if position >= len(text) or text[position] != "(":
        raise SourceError(f"{name}: malformed INSERT near offset {position}")
    position += 1
    values: list[str | None] = []
    while True:
        while text[position] in " \t\r\n":
            position += 1
        if text[position] == "'":
            position += 1
            parts: list[str] = []
            while True:
                char = text[position]
                if char == "\\":
                    following = text[position + 1]
                    parts.append(_ESCAPES.get(following, following))
                    position += 2
                elif char == "'" and text[position + 1 : position + 2] == "'":
                    parts.append("'")
                    position += 2
                elif char == "'":
                    position += 1
                    break
                else:
                    parts.append(char)
                    position += 1
            values.append("".join(parts))
        else:
            end = position
            while text[end] not in ",)":
                end += 1
            token = text[position:end].strip()
            values.append(None if token.upper() == "NULL" else token)
            position = end
        while text[position] in " \t\r\n":
            position += 1
        if text[position] == ",":
            position += 1
            continue
        if text[position] == ")":
            return values, position + 1
        raise SourceError(f"{name}: malformed INSERT near offset {position}")
