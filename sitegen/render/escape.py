"""Escaping what sitegen writes by the million: text for HTML (the same as markupsafe's escape,
without making a Markup object of each), and data for the site's scripts."""

from __future__ import annotations

import json

#: Writes script data: one encoder for all of it (json.dumps with options makes one per call).
_SCRIPT_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def script_json(value: object) -> str:
    """Return a value as compact JSON that is safe inside a script: ASCII only, and no ``<`` (so no
    ``</script>``)."""
    return _SCRIPT_JSON.encode(value).replace("<", "\\u003c")


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
