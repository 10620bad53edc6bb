"""Decoding source bytes: encodings, line ends and unusable files."""

from __future__ import annotations

import pytest

from sitegen.errors import SourceError
from sitegen.parse.cable import parse_document
from sitegen.parse.source import decode


def test_crlf_and_bom_are_normalised_without_warning() -> None:
    text, warnings = decode(b"\xef\xbb\xbfline one\r\nline [PER Two  ]\r\n", "a.txt")
    assert text == "line one\nline [PER Two  ]\n"
    assert warnings == []


def test_latin1_bytes_are_kept_and_located() -> None:
    text, warnings = decode("first\nJos\u00e9 ok\n".encode("utf-8") + b"caf\xe9 [LOC Bogot\xe1  ]\n", "a.txt")
    assert "café [LOC Bogotá  ]" in text
    assert len(warnings) == 1
    assert (warnings[0].line, warnings[0].col) == (3, 4)
    assert "not valid UTF-8" in warnings[0].message


def test_nul_bytes_become_replacement_characters_with_a_warning() -> None:
    text, warnings = decode(b"one\ntw\x00o [PER Ann  ]\n", "a.txt")
    assert text == "one\ntw\ufffdo [PER Ann  ]\n"
    assert (warnings[0].line, warnings[0].col) == (2, 3)


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty file"),
        (b"  \n\t\r\n ", "only white space"),
        (bytes(range(256)) * 8, "binary file"),
    ],
)
def test_unusable_files_raise_source_error(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_document("bad.txt", data)
    assert message in info.value.diagnostic.message
    assert info.value.diagnostic.path == "bad.txt"


def test_mention_columns_survive_a_byte_order_mark() -> None:
    doc = parse_document("a.txt", "\ufeffHi [PER Ann  ] .".encode("utf-8"))
    assert [(m.line, m.col) for m in doc.mentions] == [(1, 4)]
