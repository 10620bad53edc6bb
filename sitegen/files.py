"""Which files of the content folder are sources: their suffixes, and the names editors leave behind."""

from __future__ import annotations

#: Source files by suffix: tagged documents and Markdown pages.
DOCUMENT_SUFFIXES = (".txt",)
MARKDOWN_SUFFIXES = (".md",)


def is_ignored(name: str) -> bool:
    """Return True for hidden files and editors' swap, backup and lock files."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp")) or name == "4913"
