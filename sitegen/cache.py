"""The parsed-document cache: every source as it was parsed for the site in an output folder.

It is one file beside the output folder (``site/`` has ``.site.sitegen-cache``)
and holds, for each source, its parse result, content hash, size and
modification time. A build reuses the parse of every source whose bytes are
unchanged, and when the site on disk was built from the cached sources with
the same configuration, theme and code, it re-renders only the pages the
changed sources affect.

The file starts with a line of JSON naming the cache format, a fingerprint
of sitegen's own code, the build key and a checksum of the rest. A cache
that is missing, truncated, damaged or written by other code is ignored,
never trusted: the build then parses everything again.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from sitegen.manifest import code_fingerprint

FORMAT = 1


@dataclass
class Cache:
    """The sources one build read, and what the site was built with."""

    key: str
    """The build key (configuration, theme, templates, code) of the site built from these sources."""
    sources: dict
    """Each source (a build.Source) by relative path."""


def cache_path(output: Path) -> Path:
    """Return where the cache of the site in ``output`` is kept: a hidden file beside it."""
    output = output.absolute()
    return output.parent / f".{output.name}.sitegen-cache"


def read_cache(output: Path) -> Cache | None:
    """Return the cache of the site in ``output``, or None when there is none to trust."""
    try:
        with open(cache_path(output), "rb") as file:
            head = json.loads(file.readline())
            if head.get("format") != FORMAT or head.get("code") != code_fingerprint():
                return None
            body = file.read()
        if hashlib.sha256(body).hexdigest() != head.get("checksum"):
            return None
        sources = pickle.loads(body)
        if not isinstance(sources, dict):
            return None
        return Cache(str(head.get("key", "")), sources)
    except (OSError, ValueError, EOFError, AttributeError, ImportError, IndexError, TypeError,
            pickle.UnpicklingError):
        return None


def write_cache(output: Path, cache: Cache) -> None:
    """Write the cache beside ``output`` atomically; a cache that cannot be written is skipped."""
    path = cache_path(output)
    body = pickle.dumps(cache.sources, protocol=pickle.HIGHEST_PROTOCOL)
    head = json.dumps({"format": FORMAT, "code": code_fingerprint(), "key": cache.key,
                       "checksum": hashlib.sha256(body).hexdigest()})
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as file:
            file.write(head.encode() + b"\n")
            file.write(body)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
