"""Reading the originals' exports: mysqldump INSERTs, CSV nulls, mongoexport arrays, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatehouse_cli.readers import SourceError, csv_records, json_records, sql_records


def test_mysqldump_inserts_with_and_without_column_lists_and_escapes(tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    dump.write_text(
        "CREATE TABLE `users` (\n  `id` bigint NOT NULL,\n  `username` varchar(20),\n  `intro` varchar(200)\n"
        ") ENGINE=InnoDB;\n"
        "INSERT INTO `users` VALUES (1,'li','it\\'s \\\"quoted\\\", (with) commas'),(2,'zh',NULL);\n"
        "INSERT INTO `users` (`id`, `intro`, `username`) VALUES (3, 'a''b', 'wu');\n"
        "INSERT INTO `sysinfo` VALUES (9);\n",
        encoding="utf-8",
    )
    rows = [(table, line.values) for table, line in sql_records(dump, None)]
    assert rows[0] == ("users", {"id": "1", "username": "li", "intro": 'it\'s "quoted", (with) commas'})
    assert rows[1] == ("users", {"id": "2", "username": "zh", "intro": None})
    assert rows[2] == ("users", {"id": "3", "intro": "a'b", "username": "wu"})
    assert rows[3] == (
        "sysinfo",
        {"__invalid__": "INSERT INTO sysinfo without columns and no CREATE TABLE for it"},
    )


def test_a_cut_off_insert_is_a_file_error(tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    dump.write_text("INSERT INTO `users` (`id`) VALUES (1),(2", encoding="utf-8")
    with pytest.raises(SourceError, match="cut off"):
        list(sql_records(dump, None))


def test_csv_nulls_bom_and_header_case(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes("\ufeffID,Email,Phone\n1,a@example.com,NULL\n2,b@example.com,\\N\n".encode())
    values = [line.values for line in csv_records(path, None)]
    assert values == [
        {"id": "1", "email": "a@example.com", "phone": None},
        {"id": "2", "email": "b@example.com", "phone": None},
    ]


def test_mongoexport_json_array_and_lines_read_alike(tmp_path: Path) -> None:
    lines = tmp_path / "lines.json"
    lines.write_text(
        '{"_id": {"$oid": "5f1a2b3c4d5e6f7081920a1b"}}\n\n{"_id": {"$oid": "5f1a2b3c4d5e6f7081920a1c"}}\n'
    )
    array = tmp_path / "array.json"
    array.write_text(
        '[{"_id": {"$oid": "5f1a2b3c4d5e6f7081920a1b"}}, {"_id": {"$oid": "5f1a2b3c4d5e6f7081920a1c"}}]'
    )
    assert [line.values for line in json_records(lines, None)] == [
        line.values for line in json_records(array, None)
    ]


def test_a_file_in_another_encoding_is_refused_with_its_name_and_read_when_named(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes("id,first_name\n1,Анна\n".encode("cp1251"))
    with pytest.raises(SourceError, match=r"users.csv: not UTF-8 .* --encoding"):
        list(csv_records(path, None))
    assert [line.values for line in csv_records(path, "cp1251")] == [{"id": "1", "first_name": "Анна"}]
