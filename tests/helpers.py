"""Readable dumps of parse results, for golden fixtures."""
from __future__ import annotations

from pathlib import Path

from sitegen.model import Document, Mention, TagRef


#: Pagefind's search bundle: written by Pagefind, whose filter index is not byte-stable.
SEARCH_BUNDLE = "pagefind/"
#: sitegen's own bookkeeping in the output folder: the build manifest (source times, folders).
MANIFEST = ".sitegen"


def tree(root: Path, search: bool = False) -> dict[str, bytes]:
    """Return every file of a site by relative path (without the manifest, nor the search bundle unless asked)."""
    files = {}
    for p in sorted(root.rglob("*")):
        relative = p.relative_to(root).as_posix()
        if p.is_file() and relative != MANIFEST and (search or not relative.startswith(SEARCH_BUNDLE)):
            files[relative] = p.read_bytes()
    return files


def show(segments) -> str:
    """Return running text with mentions as {TYPE text} and tags as <tag:NAME>."""
    out = []
    for seg in segments:
        if isinstance(seg, Mention):
            out.append(f"{{{seg.type} {seg.text}}}")
        elif isinstance(seg, TagRef):
            out.append(f"<tag:{seg.name}>")
        else:
            out.append(seg)
    return "".join(out).replace("\n", "⏎")


def dump(doc: Document) -> str:
    """Return every field of a parsed document, one per line."""
    lines = [f"title: {doc.title}", f"date: {doc.date}", f"year: {doc.year}"]
    if doc.header is None:
        lines.append("header: none")
    else:
        for name, value in vars(doc.header).items():
            if value:
                lines.append(f"header.{name}: {' '.join(value) if isinstance(value, tuple) else value}")
        lines.append(f"header text: {show(doc.header_text)}")
    for par in doc.paragraphs:
        lines.append(f"paragraph {par.anchor} number={par.number} line={par.line}")
        if par.heading:
            lines.append(f"  heading: {show(par.heading)}")
        lines.append(f"  text: {show(par.text)}")
    if doc.signature:
        lines.append(f"signature: {show(doc.signature)}")
    for m in doc.mentions:
        lines.append(f"mention {m.type} {m.text!r} at {m.line}:{m.col} in {m.paragraph}")
    for w in doc.diagnostics:
        lines.append(f"warning {w.line}:{w.col} {w.message}")
    return "\n".join(lines) + "\n"
