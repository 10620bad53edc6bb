"""sitegen.toml -> Config: a frozen dataclass with defaults and clear errors."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sitegen.errors import ConfigError
from sitegen.model import ENTITY_TYPES
from sitegen.parse.formats import FORMATS, OFF, Formats
from sitegen.parse.labels import Labels, valid_target


@dataclass(frozen=True)
class EntityType:
    """How one entity type is named and coloured."""

    label: str
    """Human name, e.g. ``Person``."""
    color: str
    """CSS colour in the light scheme."""
    dark_color: str
    """CSS colour in the dark scheme."""


DEFAULT_TYPES: dict[str, EntityType] = {
    # Distinct from each other, from links and from the text under the common colour-vision
    # deficiencies, and legible on the background (docs/themes.md gives the figures).
    "PER": EntityType("Person", "#8a3ffc", "#e1a6c9"),
    "LOC": EntityType("Location", "#5d4037", "#aed581"),
    "ORG": EntityType("Organisation", "#b3400d", "#ef9a9a"),
    "MISC": EntityType("Other", "#a3367a", "#f0e442"),
}


@dataclass(frozen=True)
class Config:
    """Settings of one site; every field has a default."""

    title: str = "Cable archive"
    """Site title, shown in every page's header and <title>."""
    base_url: str = ""
    """Public address of the site, e.g. ``https://example.org/cables/``; optional."""
    content: Path = Path("content")
    """Folder of source documents."""
    output: Path = Path("site")
    """Folder the site is written to."""
    theme: str = "default"
    """Theme name (a folder under ``themes/``) or a path to a theme folder."""
    templates: Path = Path("templates")
    """Project folder whose templates override the theme's."""
    types: dict[str, EntityType] = field(default_factory=lambda: dict(DEFAULT_TYPES))
    """Label and colours of each entity type."""
    documents_per_page: int = 50
    """Documents per page on the home page and tag, origin, classification and year pages."""
    entity_documents_per_page: int = 25
    """Documents per page on an entity page."""
    entities_per_page: int = 500
    """Entities per page on the A-Z index of a type."""
    top_entities: int = 20
    """How many entities the home page and the most-mentioned views show."""
    entity_min_mentions: int = 2
    """Entities mentioned fewer times have no page of their own: their mentions link to the A-Z list."""
    research_min_documents: int = 5
    """Entities named in fewer documents have no timeline, "Mentioned with" or filter of their
    documents (nor its data file): every one of their documents is on their page anyway."""
    source_views: bool = True
    """Write each document's source view (``source/…``): its file as written, annotations highlighted."""
    document_data: bool = True
    """Write each document as data (``doc/….json``): its header fields, paragraphs and mentions."""
    minify: bool = False
    """Write HTML pages without what browsers do not need: spaces between elements, the quotes of
    plain attribute values, optional end tags (minify-html; styles and scripts are left as written)."""
    search: bool = True
    """Build the full-text search index with Pagefind (needs the pagefind package)."""
    search_part_megabytes: float = 150
    """The search index is made in parts of about this many megabytes of pages each; Pagefind needs
    about nine times that in memory while it makes one."""
    code_style: str = "default"
    """Pygments style of highlighted code and source views in the light colour scheme."""
    code_style_dark: str = "github-dark"
    """Pygments style in the dark colour scheme."""
    entities: Path = Path("entities.toml")
    """The authority file: entities' names and aliases, names dropped or withheld (optional)."""
    clean_possessive: bool = True
    """An entity's key drops a possessive ending: ``Costa Rica 's`` is Costa Rica."""
    clean_punctuation: bool = True
    """An entity's key drops stray punctuation at either end: ``--Egypt`` is Egypt."""
    clean_article: bool = True
    """An entity's key drops a leading ``the``: ``the United States`` is United States."""
    short_forms: bool = True
    """In one document, ``Garcia`` is the ``Alan Garcia`` that document names (when it names one only)."""
    formats: Formats = field(default_factory=Formats)
    """The reader of each suffix (``[formats]``) and the label map (``[types.map]``)."""
    tagger: str = ""
    """What made the annotations (``[annotations] tagger``), named in the footer and the data files."""
    root: Path = Path(".")
    """Folder relative paths are resolved against (the config file's folder)."""

    def without_look(self) -> Config:
        """Return this configuration without what only the stylesheets show: the types' colours
        and the highlighting styles (see look)."""
        types = {t: replace(v, color="", dark_color="") for t, v in self.types.items()}
        return replace(self, types=types, code_style="", code_style_dark="")

    @property
    def look(self) -> str:
        """Return what only the generated stylesheets show (colours.css, pygments.css), as text."""
        colours = ";".join(f"{t}={v.color},{v.dark_color}" for t, v in sorted(self.types.items()))
        return f"{colours};{self.code_style};{self.code_style_dark}"

    @property
    def search_part_bytes(self) -> int:
        """Return the size of pages each part of the search index holds, in bytes."""
        return max(1, int(self.search_part_megabytes * 2**20))


_SITE_KEYS = {
    "title": str,
    "base_url": str,
    "content": str,
    "output": str,
    "theme": str,
    "templates": str,
    "entities": str,
}
_ENTITY_KEYS = {
    "possessive": "clean_possessive",
    "punctuation": "clean_punctuation",
    "article": "clean_article",
    "short_forms": "short_forms",
}
_PAGE_KEYS = {
    "documents": "documents_per_page",
    "entity_documents": "entity_documents_per_page",
    "entities": "entities_per_page",
    "top_entities": "top_entities",
    "entity_min_mentions": "entity_min_mentions",
    "research_min_documents": "research_min_documents",
}
#: The switches of [pages]: which optional files each document has, and whether HTML is minified.
_PAGE_SWITCHES = ("source_views", "document_data", "minify")
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl|oklch)a?\([0-9.,%/ a-z-]{1,60}\))$")


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """Read a sitegen.toml; without one (and not required) return the defaults."""
    if path is None or not path.exists():
        if required and path is not None:
            raise ConfigError(f"{path}: configuration file not found")
        root = path.parent if path is not None else Path(".")
        return Config(root=root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(data, str(path), path.parent)


def _label_map(name: str, table: Any) -> dict[str, str]:
    """Check ``[types.map]``: each label mapped to PER, LOC, ORG, MISC or none."""
    table = _expect(f"{name}: [types.map]", table, dict)
    checked = {}
    for label, value in table.items():
        value = _expect(f"{name}: [types.map] {label}", value, str)
        target = valid_target(value)
        if target is None or not label.strip():
            raise ConfigError(
                f'{name}: [types.map] {label} = {value!r}: expected PER, LOC, ORG, MISC or "none" (not an entity)'
            )
        checked[label] = target
    return checked


def _formats(name: str, table: Any) -> dict[str, str]:
    """Check ``[formats]``: each suffix read in a known format, or none."""
    table = _expect(f"{name}: [formats]", table, dict)
    known = [*FORMATS, OFF]
    checked = {}
    for suffix, value in table.items():
        value = _expect(f"{name}: [formats] {suffix}", value, str).strip().lower()
        if not suffix.startswith(".") or len(suffix) < 2 or "/" in suffix:
            raise ConfigError(f'{name}: [formats] {suffix!r}: expected a file suffix such as ".tsv"')
        if value not in known:
            raise ConfigError(f"{name}: [formats] {suffix} = {value!r}: expected one of {', '.join(known)}")
        if suffix.lower() == ".md":
            raise ConfigError(f"{name}: [formats] .md: Markdown pages are always read as Markdown")
        checked[suffix.lower()] = value
    return checked


def _expect(where: str, value: Any, kind: type) -> Any:
    """Return value when it has the expected type, else raise ConfigError."""
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{where} must be a whole number, not {value!r}")
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, not {value!r}")
    if not isinstance(value, kind):
        raise ConfigError(f"{where} must be a {kind.__name__}, not {value!r}")
    return value


def parse_config(data: dict[str, Any], name: str, root: Path) -> Config:
    """Check a parsed TOML table and turn it into a Config."""
    known = {"site", "pages", "types", "search", "highlight", "entities", "annotations", "formats"}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{name}: unknown section or key '{key}'"
                " (expected [site], [pages], [types], [entities], [annotations], [formats], [search], [highlight])"
            )
    values: dict[str, Any] = {"root": root}
    site = _expect(f"{name}: [site]", data.get("site", {}), dict)
    for key, value in site.items():
        if key not in _SITE_KEYS:
            raise ConfigError(f"{name}: unknown key '{key}' in [site]; known keys: {', '.join(_SITE_KEYS)}")
        value = _expect(f"{name}: [site] {key}", value, str)
        values[key] = Path(value) if key in ("content", "output", "templates", "entities") else value
    pages = _expect(f"{name}: [pages]", data.get("pages", {}), dict)
    for key, value in pages.items():
        if key in _PAGE_SWITCHES:
            values[key] = _expect(f"{name}: [pages] {key}", value, bool)
            continue
        if key not in _PAGE_KEYS:
            known_keys = ", ".join([*_PAGE_KEYS, *_PAGE_SWITCHES])
            raise ConfigError(f"{name}: unknown key '{key}' in [pages]; known keys: {known_keys}")
        value = _expect(f"{name}: [pages] {key}", value, int)
        if not 1 <= value <= 100_000:
            raise ConfigError(f"{name}: [pages] {key} must be between 1 and 100000, not {value}")
        values[_PAGE_KEYS[key]] = value
    types = dict(DEFAULT_TYPES)
    table = _expect(f"{name}: [types]", data.get("types", {}), dict)
    label_map: dict[str, str] = {}
    for type_, settings in table.items():
        if type_ == "map":
            label_map = _label_map(name, settings)
            continue
        if type_ not in ENTITY_TYPES:
            raise ConfigError(f"{name}: unknown entity type [types.{type_}]; expected one of {', '.join(ENTITY_TYPES)}")
        settings = _expect(f"{name}: [types.{type_}]", settings, dict)
        current = types[type_]
        for key, value in settings.items():
            if key not in ("label", "color", "dark_color"):
                raise ConfigError(
                    f"{name}: unknown key '{key}' in [types.{type_}]; known keys: label, color, dark_color"
                )
            value = _expect(f"{name}: [types.{type_}] {key}", value, str)
            if key != "label" and not _COLOR.match(value):
                raise ConfigError(f"{name}: [types.{type_}] {key} is not a CSS colour: {value!r}")
            current = replace(current, **{key: value})
        types[type_] = current
    values["types"] = types
    values["formats"] = Formats(Labels().with_map(label_map), _formats(name, data.get("formats", {})))
    entities = _expect(f"{name}: [entities]", data.get("entities", {}), dict)
    for key, value in entities.items():
        if key not in _ENTITY_KEYS:
            raise ConfigError(f"{name}: unknown key '{key}' in [entities]; known keys: {', '.join(_ENTITY_KEYS)}")
        values[_ENTITY_KEYS[key]] = _expect(f"{name}: [entities] {key}", value, bool)
    annotations = _expect(f"{name}: [annotations]", data.get("annotations", {}), dict)
    for key, value in annotations.items():
        if key != "tagger":
            raise ConfigError(f"{name}: unknown key '{key}' in [annotations]; known keys: tagger")
        values["tagger"] = " ".join(_expect(f"{name}: [annotations] tagger", value, str).split())
    search = _expect(f"{name}: [search]", data.get("search", {}), dict)
    for key, value in search.items():
        if key == "enabled":
            values["search"] = _expect(f"{name}: [search] enabled", value, bool)
        elif key == "part_megabytes":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ConfigError(f"{name}: [search] part_megabytes must be a number above 0, not {value!r}")
            values["search_part_megabytes"] = value
        elif key == "max_documents":
            raise ConfigError(
                f"{name}: [search] max_documents is no longer used: every document is indexed, in parts"
                " of [search] part_megabytes (default 150); remove the key"
            )
        else:
            raise ConfigError(f"{name}: unknown key '{key}' in [search]; known keys: enabled, part_megabytes")
    highlight = _expect(f"{name}: [highlight]", data.get("highlight", {}), dict)
    for key, value in highlight.items():
        if key not in ("style", "dark_style"):
            raise ConfigError(f"{name}: unknown key '{key}' in [highlight]; known keys: style, dark_style")
        value = _expect(f"{name}: [highlight] {key}", value, str)
        styles = _pygments_styles()
        if value not in styles:
            raise ConfigError(
                f"{name}: [highlight] {key}: unknown Pygments style {value!r}; available: {', '.join(styles)}"
            )
        values["code_style" if key == "style" else "code_style_dark"] = value
    if "base_url" in values and values["base_url"] and not re.match(r"^https?://", values["base_url"]):
        raise ConfigError(f"{name}: [site] base_url must start with http:// or https://")
    return Config(**values)


def _pygments_styles() -> list[str]:
    """Return the names of the highlighting styles Pygments has (imported only when a style is named)."""
    from pygments.styles import get_all_styles

    return sorted(get_all_styles())
