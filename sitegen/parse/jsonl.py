"""JSON documents with character spans -> Document: Prodigy, doccano and spaCy's ``Doc.to_json()``.

A ``.jsonl`` file holds one document a line; a ``.json`` file holds one. A
document is an object with its ``text`` and its spans under one of the keys
these tools use:

- ``spans``: ``[{"start": 0, "end": 11, "label": "PERSON"}]`` (Prodigy);
- ``ents``: the same (spaCy's ``Doc.to_json()``);
- ``entities`` or ``label``: ``[[0, 11, "PERSON"]]`` (doccano), or objects as above
  (doccano's ``start_offset`` and ``end_offset`` too).

A span may give its ``text`` too, which is checked against the document's.
A ``meta`` object (or the same keys at the top level) gives the header:
``title``, ``date``, ``id`` and ``tags``. In a ``.jsonl`` file a document is
named by its ``id``, else by its line number.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sitegen.errors import Diagnostic, SourceError
from sitegen.model import Document
from sitegen.parse.conll import Part
from sitegen.parse.labels import Labels
from sitegen.parse.source import line_col
from sitegen.parse.spans import Meta, Span, span_document

_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_SPAN_KEYS = ("spans", "ents", "entities", "label", "labels")


def split_jsonl(text: str) -> list[Part]:
    """Return the documents of a JSONL file: each line that is not blank, named by its ``id`` or its number."""
    parts: list[Part] = []
    taken: set[str] = set()
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        name = ""
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if isinstance(value, dict):
            meta: dict[str, Any] = value["meta"] if isinstance(value.get("meta"), dict) else {}
            ident = meta.get("id", value.get("id", ""))
            if isinstance(ident, (str, int)) and not isinstance(ident, bool):
                name = _NAME.sub("-", str(ident)).strip("-.")[:80]
        if not name or name in taken:
            name = f"line-{number}"
        taken.add(name)
        parts.append(Part(name, number, number))
    return parts


def read_json_document(
    source: str, text: str, labels: Labels, first_line: int = 1, warnings: list[Diagnostic] | None = None
) -> Document:
    """Return the Document of one JSON object (a ``.json`` file, or one line of a ``.jsonl`` file).

    Raises SourceError when it is not an object with a ``text``.
    """
    warnings = list(warnings or ())
    try:
        value = json.loads(text)
    except ValueError as exc:
        line, col = (getattr(exc, "lineno", 1), getattr(exc, "colno", 1))
        raise SourceError(
            Diagnostic(source, first_line + line - 1, col, f"not valid JSON: {getattr(exc, 'msg', exc)}; skipped")
        ) from None
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        raise SourceError(
            Diagnostic(source, first_line, 1, 'not a document: expected an object with a "text"; skipped')
        )
    body = value["text"].replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        raise SourceError(Diagnostic(source, first_line, 1, "the document's text is empty; skipped"))
    single_line = "\n" not in text.strip()

    def place(offset: int) -> tuple[int, int]:
        if single_line:
            return first_line, 1
        return line_col(text, max(text.find('"text"'), 0))[0] + first_line - 1, 1

    spans = _spans(source, value, first_line, warnings)
    return span_document(source, body, spans, labels, place, warnings, _meta(value))


def _spans(source: str, value: dict[str, Any], line: int, warnings: list[Diagnostic]) -> list[Span]:
    """Return the spans of a document object, warning about entries that are not spans."""
    key = next((k for k in _SPAN_KEYS if isinstance(value.get(k), list)), None)
    if key is None:
        return []
    spans = []
    for index, item in enumerate(value[key], 1):
        span = _span(item)
        if span is None:
            warnings.append(
                Diagnostic(
                    source, line, 1, f'"{key}" entry {index} is not a span with a start, an end and a label; ignored'
                )
            )
            continue
        spans.append(span)
    return spans


def _span(item: Any) -> Span | None:
    """Return a span from ``{"start", "end", "label"[, "text"]}`` or ``[start, end, label]``, else None."""
    if isinstance(item, dict):  # Prodigy and spaCy: start, end; doccano: start_offset, end_offset
        start, end = item.get("start", item.get("start_offset")), item.get("end", item.get("end_offset"))
        label, text = item.get("label"), item.get("text")
    elif isinstance(item, list) and len(item) == 3:
        (start, end, label), text = item, None
    else:
        return None
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return None
    if not isinstance(label, str) or not label.strip():
        return None
    return Span(start, end, label, text if isinstance(text, str) else None)


def _meta(value: dict[str, Any]) -> Meta:
    """Return the header fields of a document object: from its ``meta``, else its own keys."""
    meta: dict[str, Any] = value["meta"] if isinstance(value.get("meta"), dict) else value
    title = meta.get("title", "")
    date = meta.get("date", "")
    ident = meta.get("id", "")
    tags = meta.get("tags", ())
    return Meta(
        title=title if isinstance(title, str) else "",
        date=date if isinstance(date, str) else "",
        ident=str(ident) if isinstance(ident, (str, int)) and not isinstance(ident, bool) else "",
        tags=tuple(str(t).strip() for t in tags if isinstance(t, (str, int)) and str(t).strip())
        if isinstance(tags, list)
        else (),
    )
