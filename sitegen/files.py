"""Which files of the content folder are sources: their suffixes, and the names editors leave behind."""

from __future__ import annotations

#: Markdown pages by suffix (documents' suffixes are in parse/formats.py).
MARKDOWN_SUFFIXES = (".md",)


def is_ignored(name: str) -> bool:
    """Return True for hidden files and editors' swap, backup and lock files."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp")) or name == "4913"
