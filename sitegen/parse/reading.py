"""Reading text: running text as a person would have typed it, from the tagger's tokenised text.

Taggers split text into tokens and write them back with a space between
each: ``Peru 's``, ``( C )``, `` , ``, ``ZANU - PF``. Cables add their own
noise: ``< br >`` for the original fixed-width line ends (a blank line
between paragraphs), rules of dashes under headings, and page-break lines
(``CONFIDENTIAL PAGE 03 HARARE 05461 02 OF 03 271459Z``). ``reading``
turns a paragraph's segments into blocks of reading text — paragraphs and
headings — keeping each mention whole, with its own words joined the same
way. Nothing here changes a document: the source view and the data files
keep the exact text.

Everything is a pure function of the text. Mentions and tags take part as
placeholders, so one set of rules sees a paragraph whole, across segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from sitegen.model import Document, Mention, Paragraph, Segments, TagRef, merge_text, plain_text

#: A mention or tag in the flattened text: its index between two private-use characters.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}([0-9]+){_CLOSE}")
_BREAK = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
#: Halves of a line break that a paragraph anchor cut in two (``… . <`` then ``br > …``).
_BREAK_TAIL = re.compile(r"<\s*$")
_BREAK_HEAD = re.compile(r"^\s*/?\s*br\s*/?\s*>", re.IGNORECASE)
_BREAK_TAIL_BR = re.compile(r"<\s*br\s*/?\s*$", re.IGNORECASE)
#: A line that only underlines the one before it: dashes, equals signs, underscores.
_RULE_LINE = re.compile(r"^\s*(?:[-=_~*]\s*){3,}$")
#: A rule at the end of a line, after a heading on the same line (``SUMMARY -------``).
_RULE_AFTER = re.compile(r"-(?:\s?-){4,}|=(?:\s?=){4,}|_(?:\s?_){4,}")
_CLASS = r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|SENSITIVE BUT UNCLASSIFIED)"
#: The line a teleprinter put at the top of each page after the first.
_PAGE_BREAK = re.compile(
    rf"\b{_CLASS}(?:\s+{_CLASS})?(?:\s+PTQ[0-9]+)?\s+PAGE\s+[0-9]{{2}}\s+(?:\S+\s+){{1,6}}?[0-9]{{6}}Z(?:\s+/[0-9]+)?"
)
#: The end of a sentence before a heading that shares its line.
_SENTENCE_END = re.compile(r".*[.?!:;][\s\"')\]]*\s")
_WORD = r"[0-9A-Za-z\u00c0-\uffff" + _OPEN + _CLOSE + "]"
#: Each rule: what it replaces, with what, and what a text must hold for it to change anything
#: (one of these strings). Most texts hold none, and a test of each is cheaper than a search. The
#: rules run on text whose spaces are single already (see _detokenise).
_RULES: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    # Clitics and possessives: Peru 's, do n't, they 're.
    (re.compile(r" (['’](?:s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\b)"), r"\1", (" '", " ’")),
    (re.compile(r" ([nN]['’][tT])\b"), r"\1", (" n'", " N'", " n’", " N’")),
    # A hyphenated word split in three: ZANU - PF (" - " first, so that it is searched for as such).
    (re.compile(rf" - (?<={_WORD} - )(?={_WORD})"), "-", (" - ",)),
    (re.compile(r"\$ (?=[0-9])"), "$", ("$ ",)),
]
#: No space before closing punctuation, or after an opening bracket (before the rules), and curly
#: quotes say which way they face (after them). With single spaces each is a replacement of two
#: characters by one, in this order.
_JOINS = [(" " + c, c) for c in ",.;:!?%)]}"] + [(c + " ", c) for c in "([{"]
_QUOTE_JOINS = [(c + " ", c) for c in "“‘"] + [(" ”", "”")]
_QUOTE = re.compile(r'"')
#: Letters in a text above which share of capitals it reads as written in capitals.
_CAPS_SHARE = 0.8
_CAPS_LETTERS = 12
_UPPER = re.compile(r"[^\W\d_a-z\u00df-\u00ff]")
_LOWER = re.compile(r"[a-z\u00df-\u00ff]")
#: The characters of Latin-1 that are not capitals or small letters by _UPPER and _LOWER: a text
#: of Latin-1 alone, as most are, is counted by deleting them from its bytes.
_NOT_UPPER = bytes(c for c in range(256) if not _UPPER.match(chr(c)))
_NOT_LOWER = bytes(c for c in range(256) if not _LOWER.match(chr(c)))


@dataclass(frozen=True)
class Block:
    """One block of reading text: a paragraph (``p``) or a heading (``h``)."""

    kind: str
    segments: Segments
    caps: bool = False
    """True when it is written in capitals (the theme sets it in small capitals)."""


def reading(segments: Segments) -> list[Block]:
    """Return running text as blocks of reading text; every mention and tag is in one of them, whole."""
    items = _broken_breaks(list(segments))
    flat = "".join(
        _clean(item).replace("\n", " ") if isinstance(item, str) else f"{_OPEN}{i}{_CLOSE}"
        for i, item in enumerate(items)
    )
    flat = _BREAK_TAIL.sub("", _BREAK_HEAD.sub("", _without_page_breaks(flat)))
    blocks: list[tuple[str, str]] = []
    lines: list[str] = []  # the lines of the paragraph being read

    def end_paragraph() -> None:
        if lines:
            blocks.append(("p", " ".join(lines)))
            lines.clear()

    for line in _BREAK.split(flat):
        if _RULE_LINE.match(line):
            if lines and len(lines) == 1 and _short(lines[0]):
                blocks.append(("h", lines.pop()))  # the line above was a heading
            continue
        if not line.strip():
            end_paragraph()
            continue
        parts = _RULE_AFTER.split(line)
        for i, part in enumerate(parts):
            if i < len(parts) - 1:  # a heading ends this part, on the rule's line
                before, heading = _split_heading(part)
                if before.strip():
                    lines.append(before)
                end_paragraph()
                if heading.strip():
                    blocks.append(("h", heading))
            elif part.strip():
                lines.append(part)
    end_paragraph()
    return [block for block in (_block(kind, text, items) for kind, text in blocks) if block.segments]


def reading_segments(segments: Segments) -> Segments:
    """Return running text as reading text in one run (headings and paragraphs joined by spaces)."""
    return joined(reading(segments))


def joined(blocks: Iterable[Block]) -> Segments:
    """Return blocks of reading text in one run, joined by spaces."""
    out: list = []
    for block in blocks:
        if out:
            out.append(" ")
        out.extend(block.segments)
    return tuple(merge_text(out))


@dataclass(frozen=True, slots=True)
class DocumentReading:
    """A document's reading text, made once when it is parsed: what its page shows and what the
    snippets of entity pages read."""

    header: Segments
    """The header's running text in one run."""
    signature: Segments
    """The signature in one run."""
    paragraphs: tuple[tuple[Segments, bool, tuple[Block, ...]], ...]
    """Per paragraph of the document: its heading in one run, whether the heading is in capitals,
    and the blocks of its text."""


def document_reading(doc: Document) -> DocumentReading:
    """Return a document's reading text."""
    return DocumentReading(
        reading_segments(doc.header_text),
        reading_segments(doc.signature),
        tuple(paragraph_reading(par) for par in doc.paragraphs),
    )


def paragraph_reading(par: Paragraph) -> tuple[Segments, bool, tuple[Block, ...]]:
    """Return a paragraph's reading text: its heading in one run, whether that is in capitals, and
    the blocks of its text."""
    text = tuple(reading(par.text))
    if not par.heading:
        return (), False, text
    return reading_segments(par.heading), is_caps(plain_text(par.heading)), text


@lru_cache(maxsize=1 << 16)
def reading_text(text: str) -> str:
    """Return one line of text (a title, a subject, a mention's words) as reading text."""
    return _detokenise(_without_page_breaks(_BREAK.sub(" ", _clean(text))))


def _without_page_breaks(text: str) -> str:
    """Return text with each teleprinter page-break line a space (searched for only where one can be)."""
    return _PAGE_BREAK.sub(" ", text) if "PAGE" in text else text


def is_caps(text: str) -> bool:
    """Return True when a text is written in capitals."""
    try:
        latin = text.encode("latin-1")
        upper, lower = len(latin.translate(None, _NOT_UPPER)), len(latin.translate(None, _NOT_LOWER))
    except UnicodeEncodeError:
        upper, lower = len(_UPPER.findall(text)), len(_LOWER.findall(text))
    return upper + lower >= _CAPS_LETTERS and upper >= _CAPS_SHARE * (upper + lower)


def _broken_breaks(items: list) -> list:
    """Return segments with a line break that a mention cut in two put back whole (``< br [ORG > Agriculture``)."""
    for i in range(len(items) - 1):
        item, after = items[i], items[i + 1]
        if (
            isinstance(item, str)
            and isinstance(after, Mention)
            and after.text.startswith(">")
            and _BREAK_TAIL_BR.search(item)
        ):
            items[i], items[i + 1] = item + ">", replace(after, text=after.text[1:].lstrip())
    return items


def _clean(text: str) -> str:
    """Return text without the private-use characters the placeholders are made of."""
    return text.replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd") if _OPEN in text or _CLOSE in text else text


def _short(line: str) -> bool:
    """Return True when a line is short enough to be a heading."""
    return 0 < len(_PLACEHOLDER.sub("x", line).split()) <= 12


def _split_heading(text: str) -> tuple[str, str]:
    """Split text before a rule into what comes before the heading and the heading (its last words)."""
    found = _SENTENCE_END.match(text)
    before, heading = (text[: found.end()], text[found.end() :]) if found else ("", text)
    if not _short(heading) or not re.search(rf"[0-9A-Za-z\u00c0-\uffff{_OPEN}]", heading):
        return text, ""
    return before, heading


def _detokenise(text: str) -> str:
    """Join tokens as a person would have typed them."""
    text = _joined(" ".join(text.split()), _JOINS)  # every run of white space one space, none at either end
    for pattern, replacement, needs in _RULES:
        if any(part in text for part in needs):
            text = pattern.sub(replacement, text)
    text = _joined(text, _QUOTE_JOINS)
    if text.count('"') % 2 == 0 and '"' in text:
        text = _pair_quotes(text)
    return text  # every step only takes spaces away: none comes back at either end


def _joined(text: str, joins: list[tuple[str, str]]) -> str:
    """Return text with each pair of ``joins`` replaced, in order (a space and a character by the character)."""
    for spaced, joined in joins:
        if spaced in text:
            text = text.replace(spaced, joined)
    return text


def _pair_quotes(text: str) -> str:
    """Join straight double quotes to the words they enclose: ``" some words "`` -> ``"some words"``."""
    out, opening, last = [], True, 0
    for found in _QUOTE.finditer(text):
        start = found.start()
        piece = text[last:start]
        if opening:
            out.append(piece)
        else:
            out.append(piece.rstrip(" "))
        out.append('"')
        last = found.end()
        if opening and text[last : last + 1] == " ":
            last += 1
        opening = not opening
    out.append(text[last:])
    return "".join(out)


def _block(kind: str, text: str, items: list) -> Block:
    """Return one block, its placeholders replaced by their mentions and tags (mentions' words joined too)."""
    text = _detokenise(text)
    out: list = []
    pos = 0
    for found in _PLACEHOLDER.finditer(text):
        if found.start() > pos:
            out.append(text[pos : found.start()])
        item = items[int(found.group(1))]
        if isinstance(item, Mention) and (words := reading_text(item.text)) != item.text:
            item = item.but(text=words)  # most mentions' words read as they are written
        out.append(item)
        pos = found.end()
    if pos < len(text):
        out.append(text[pos:])
    out = merge_text(out)
    for i, item in enumerate(out):  # brackets the tagger took into a mention: Association ( Interfarma
        if isinstance(item, Mention) and item.text[-1:] in "([{" and i + 1 < len(out) and isinstance(out[i + 1], str):
            out[i + 1] = out[i + 1].lstrip(" ")
        if isinstance(item, Mention) and item.text[:1] in ")]}.,;:" and i > 0 and isinstance(out[i - 1], str):
            out[i - 1] = out[i - 1].rstrip(" ")
    segments = tuple(s for s in out if s != "")
    return Block(kind, segments, is_caps("".join(s if isinstance(s, str) else _words(s) for s in segments)))


def _words(item: Mention | TagRef) -> str:
    return item.text if isinstance(item, Mention) else item.name
