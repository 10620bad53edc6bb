"""spaCy ``DocBin`` files (``.spacy``) -> Documents, read with spaCy when it is installed.

A ``.spacy`` file holds several documents; each is named by its number in
the file, and its entities (``doc.ents``) are its spans. spaCy is an
optional extra (``pip install 'sitegen[ner]'``); without it such a file is
skipped with a message saying so.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sitegen.errors import Diagnostic, SourceError
from sitegen.model import Document
from sitegen.parse.conll import Part
from sitegen.parse.labels import Labels
from sitegen.parse.source import line_col
from sitegen.parse.spans import Span, span_document

NEEDS_SPACY = "reading .spacy files needs spaCy: pip install 'sitegen[ner]'; skipped"


@lru_cache(maxsize=4)
def _texts(data: bytes) -> tuple[tuple[str, tuple[tuple[int, int, str], ...]], ...] | str:
    """Return each document's text and entity spans, or the reason the bytes cannot be read."""
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        return NEEDS_SPACY
    try:
        docs: Any = DocBin().from_bytes(data).get_docs(spacy.blank("xx").vocab)
        return tuple((doc.text, tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)) for doc in docs)
    except Exception as exc:  # spaCy raises many kinds on a damaged file
        return f"not a spaCy DocBin file ({type(exc).__name__}); skipped"


def split_docbin(data: bytes) -> list[Part]:
    """Return the documents of a DocBin file, named by their number (none when it cannot be read)."""
    found = _texts(data)
    return [] if isinstance(found, str) else [Part(str(i), 1, 1) for i in range(1, len(found) + 1)]


def docbin_text(source: str, data: bytes, name: str) -> str:
    """Return the text of one document of a DocBin file; raises SourceError when it cannot be read."""
    found = _texts(data)
    if isinstance(found, str):
        raise SourceError(Diagnostic(source, 0, 0, found))
    index = int(name) - 1 if name.isdigit() else -1
    if not 0 <= index < len(found):
        raise SourceError(Diagnostic(source, 0, 0, f"the file has no document {name}; skipped"))
    return found[index][0]


def read_docbin(source: str, data: bytes, name: str, labels: Labels) -> Document:
    """Return the Document of one document of a DocBin file."""
    text = docbin_text(source, data, name)
    found = _texts(data)
    assert not isinstance(found, str)  # docbin_text raised otherwise
    spans = [Span(a, b, label) for a, b, label in found[int(name) - 1][1]]
    if not text.strip():
        raise SourceError(Diagnostic(source, 0, 0, "the document's text is empty; skipped"))
    return span_document(source, text, spans, labels, lambda offset: line_col(text, offset))
