"""Escaping text for HTML where millions of fragments are written: the same as markupsafe's escape,
without making a Markup object of each."""

from __future__ import annotations


def escape_html(text: str) -> str:
    """Return plain text escaped for HTML text and quoted attributes, as ``markupsafe.escape`` writes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    return text
