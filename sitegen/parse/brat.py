"""brat standoff -> Document: a ``.txt`` file and the ``.ann`` file of its annotations.

Each entity is a line of the ``.ann`` file: ``T1<TAB>PER 0 11<TAB>Alan Garcia``
(id, label with character offsets into the text, the words). A
discontinuous entity (``0 5;8 12``) is linked over its first part. Other
annotations (relations, events, attributes, notes) are not shown. The
document is the ``.ann`` file; its text is the ``.txt`` file of the same
name beside it, and its source view shows that text.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from sitegen.errors import Diagnostic
from sitegen.model import Document
from sitegen.parse.labels import Labels
from sitegen.parse.source import line_col
from sitegen.parse.spans import Span, span_document

_ENTITY = re.compile(r"^T\S*\t(?P<label>\S+) (?P<ranges>\d+ \d+(?:;\d+ \d+)*)\t?(?P<text>.*)$")


def read_brat(
    source: str,
    text: str,
    annotations: str,
    labels: Labels,
    warnings: list[Diagnostic] | None = None,
    returns: list[int] | None = None,
) -> Document:
    """Return the Document of a brat ``.txt`` text and its ``.ann`` annotations.

    ``returns`` are the offsets of the carriage returns the text had before its line ends were made
    ``\n``: the annotations count them.
    """
    warnings = list(warnings or ())
    returns = returns or []

    def shift(offset: int) -> int:
        return offset - bisect_right(returns, offset - 1)

    spans = []
    for number, line in enumerate(annotations.split("\n"), 1):
        if not line.startswith("T"):
            continue
        found = _ENTITY.match(line)
        if found is None:
            warnings.append(
                Diagnostic(
                    source,
                    number,
                    1,
                    "entity line is not 'T<id> TAB <label> <start> <end> TAB <words>'; ignored",
                    line[:80],
                )
            )
            continue
        ranges = [tuple(int(n) for n in part.split()) for part in found.group("ranges").split(";")]
        written = found.group("text")
        if len(ranges) > 1:
            warnings.append(Diagnostic(source, number, 1, "discontinuous entity; only its first part is linked"))
            written = None
        start, end = (shift(n) for n in ranges[0])
        col = line.index("\t") + 2
        spans.append(Span(start, end, found.group("label"), written if written else None, number, col))
    return span_document(source, text, spans, labels, lambda offset: line_col(text, offset), warnings)
