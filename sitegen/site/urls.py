"""Every output path and link of the site, computed in one place.

Paths are relative to the output folder with ``/`` separators; links between
pages are always relative, so a site works under any sub-path and from disk.
Slugs are safe on every file system: lower-case ASCII letters, digits and
hyphens, never a reserved Windows name, and distinct keys never share a slug
(a name that cannot be spelled that way gets a hash of its key).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from sitegen.model import group_key, normalise
from sitegen.parse.formats import NO_CHOICES, Formats

_PURE = re.compile(r"[a-z0-9_]+(?: [a-z0-9_]+)*")
_URL_SAFE = re.compile(r"[A-Za-z0-9_./-]*")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_RESERVED = {"con", "prn", "aux", "nul", "index", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_MAX_SLUG = 64
_GROUP_DIRS = {"tag": "tag", "origin": "origin", "classification": "classification", "year": "year"}
_GROUP_INDEXES = {"tag": "tags", "origin": "origins", "classification": "classifications", "year": "years"}


@lru_cache(maxsize=1 << 18)  # more than the entities of most sites: a build asks for each more than once
def slugify(name: str) -> str:
    """Return the file-name slug of a name; distinct normalised names give distinct slugs."""
    key = normalise(name)
    if _PURE.fullmatch(key) and len(key) <= _MAX_SLUG and key not in _RESERVED:
        return key.replace(" ", "-")
    ascii_ = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    readable = _NOT_SLUG.sub("-", ascii_).strip("-")[: _MAX_SLUG - 16].strip("-")
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable or 'x'}--{digest}"


_FILE_PART = re.compile(r"[a-z0-9][a-z0-9_-]*")


def file_slug(part: str) -> str:
    """Return the slug of one part of a source path: kept as it is when already safe, hyphens included."""
    lower = part.lower()
    if _FILE_PART.fullmatch(lower) and len(lower) <= _MAX_SLUG and lower not in _RESERVED:
        return lower
    return slugify(part)


def paginate(path: str, page: int) -> str:
    """Return the path of page ``page`` (1-based) of a paginated page."""
    if page <= 1:
        return path
    stem, ext = posixpath.splitext(path)
    return f"{stem}.{page}{ext}"


def document_paths(sources: list[str], folder: str = "doc", formats: Formats = NO_CHOICES) -> dict[str, str]:
    """Return the output path of each source document (or Markdown page, in ``folder``).

    Folders are kept; each part is slugged; the documents of a file that holds several
    (``news.jsonl#7``) are in a folder named by the file (``doc/news/7.html``). Sources that differ only in case
    or Unicode form would share a path; all but the first (by path) then get a
    hash of the exact source path instead.
    """
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for source in sorted(sources):
        file, name = formats.split_source(source)  # a document of a file that holds several: in a folder named by it
        # Most sources are a file at the top of the content folder, which needs no pathlib (a third of the time).
        parts = PurePosixPath(file).parts if "/" in file or file.startswith(".") else (file,)
        stem = posixpath.splitext(parts[-1])[0] if parts else file
        names = [file_slug(p) for p in parts[:-1]] + [file_slug(stem)] + ([file_slug(name)] if name else [])
        path = folder + "/" + "/".join(names) + ".html"
        if path in taken:
            digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]
            path = f"{path[:-5]}--{digest}.html"
        taken.add(path)
        paths[source] = path
    return paths


@dataclass(frozen=True)
class Urls:
    """Output paths of every page of one site."""

    documents: dict[str, str]
    """Output path of each document, by source path (from document_paths)."""
    pages: dict[str, str] = field(default_factory=dict)
    """Output path of each Markdown page, by source path (from document_paths)."""

    @staticmethod
    def home(page: int = 1) -> str:
        """Return the path of the home page (and its later pages)."""
        return paginate("index.html", page)

    def document(self, source: str) -> str:
        """Return the path of a document's page."""
        return self.documents[source]

    def document_source(self, source: str) -> str:
        """Return the path of a document's source view."""
        return "source/" + self.documents[source][len("doc/") :]

    def page(self, source: str) -> str:
        """Return the path of a Markdown page."""
        return self.pages[source]

    @staticmethod
    def search() -> str:
        """Return the path of the full-text search page."""
        return "search.html"

    @staticmethod
    def finder(shard: str) -> str:
        """Return the path of one part of the entity quick-find data (a script)."""
        return f"search/entities-{shard}.js"

    @staticmethod
    def finder_shard(path: str) -> str:
        """Return the part of the entity quick-find data whose path (see finder) is ``path``."""
        return path.removeprefix("search/entities-").removesuffix(".js")

    def document_data(self, source: str) -> str:
        """Return the path of a document's JSON export, beside its page."""
        return self.documents[source][: -len(".html")] + ".json"

    @staticmethod
    def entity(key: tuple[str, str], page: int = 1) -> str:
        """Return the path of an entity's page."""
        return paginate(f"entity/{key[0].lower()}/{slugify(key[1])}.html", page)

    @staticmethod
    def entity_facets(key: tuple[str, str]) -> str:
        """Return the path of the data that filters an entity's documents (a script, beside its pages)."""
        return f"entity/{key[0].lower()}/{slugify(key[1])}.facets.js"

    @staticmethod
    def entity_anchor(key: tuple[str, str]) -> str:
        """Return the element id of an entity's entry on the A-Z index of its type."""
        return f"e-{slugify(key[1])}"

    @staticmethod
    def entities() -> str:
        """Return the path of the index of all entities."""
        return "entities/index.html"

    @staticmethod
    def entity_type(type_: str, page: int = 1) -> str:
        """Return the path of the A-Z index of one entity type."""
        return paginate(f"entities/{type_.lower()}.html", page)

    @staticmethod
    def entity_type_top(type_: str) -> str:
        """Return the path of the most-mentioned view of one entity type."""
        return f"entities/{type_.lower()}-top.html"

    @staticmethod
    def group(kind: str, key: str, page: int = 1) -> str:
        """Return the path of one tag, origin, classification or year (by its name or its key)."""
        return paginate(f"{_GROUP_DIRS[kind]}/{slugify(group_key(kind, key))}.html", page)

    @staticmethod
    def group_index(kind: str) -> str:
        """Return the path of the list of all groups of one kind."""
        return f"browse/{_GROUP_INDEXES[kind]}.html"

    @staticmethod
    def asset(name: str) -> str:
        """Return the path of a theme's static file."""
        return f"assets/{name}"


def relative_url(from_path: str, to_path: str, fragment: str = "") -> str:
    """Return the relative link from one output page to another, percent-encoded.

    Output paths never contain ``..``, so climbing to the site root and down
    again is always right, whatever sub-path the site is served under.
    """
    to_path, _, listed = to_path.partition("#")  # an entity's entry on the A-Z index
    fragment = fragment or listed
    url = "../" * from_path.count("/") + (to_path if _URL_SAFE.fullmatch(to_path) else quote(to_path, safe="/"))
    return f"{url}#{quote(fragment, safe='')}" if fragment else url


_NOT_RELATIVE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/#?]")


def is_relative_link(href: str) -> bool:
    """Return True for a link relative to the page's folder (no scheme, not ``/…``, ``#…`` or ``?…``)."""
    return not _NOT_RELATIVE.match(href)


def leaves_site(page: str, href: str) -> bool:
    """Return True when a relative link on ``page`` climbs above the site root."""
    if not is_relative_link(href):
        return False
    target = href.split("#", 1)[0].split("?", 1)[0]
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(target) or "."))
    return joined == ".." or joined.startswith(("../", "/"))


def absolute_url(base_url: str, path: str) -> str:
    """Return the public address of an output path under the configured base URL."""
    return base_url.rstrip("/") + "/" + quote(path, safe="/")


def public_url(base_url: str, path: str) -> str:
    """Return an output path as the site's public address, or as a root-relative path without a base URL."""
    return absolute_url(base_url, path) if base_url else path


def wikidata_url(item: str) -> str:
    """Return the address of a Wikidata item (``Q30``), which the authority file has checked."""
    return f"https://www.wikidata.org/wiki/{quote(item)}"
