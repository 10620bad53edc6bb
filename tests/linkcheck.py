"""Crawl a built site: every internal link and fragment resolves, mentions link both ways.

Usable from tests and by hand: ``python -m tests.linkcheck SITE_DIR``.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

BLOCK_IDS = ("header", "signature")


@dataclass
class PageScan:
    """What one page holds: ids, links, and mentions with their enclosing block."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)  # (tag, url)
    external: list[str] = field(default_factory=list)  # http(s) links written by editors in Markdown
    mentions: list[tuple[str, str, str]] = field(default_factory=list)  # (type, href, block id)
    tags: list[str] = field(default_factory=list)  # hrefs of source tag links
    duplicate_ids: list[str] = field(default_factory=list)


#: Links that may leave the site: an entity page's link to its Wikidata item.
AUTHORITY_LINKS = ("https://www.wikidata.org/wiki/Q",)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self.blocks: list[tuple[str, str | None, bool]] = []  # (tag, block id or None, Markdown prose)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        ident = a.get("id")
        if ident:
            if ident in self.scan.ids:
                self.scan.duplicate_ids.append(ident)
            self.scan.ids.add(ident)
        if tag == "link" and a.get("rel") == "icon" and (a.get("href") or "").startswith("data:"):
            return  # an inline icon, no request
        if tag in ("a", "link") and a.get("href") is not None:
            in_prose = any(prose for _, _, prose in self.blocks)
            if in_prose and urlsplit(a["href"]).scheme in ("http", "https"):
                self.scan.external.append(a["href"])
            else:
                self.scan.links.append((tag, a["href"]))
        if tag == "script" and a.get("src"):
            self.scan.links.append((tag, a["src"]))
        classes = (a.get("class") or "").split()
        if tag == "a" and "m" in classes:
            block = next((b for _, b, _ in reversed(self.blocks) if b), "")
            type_ = next((c[2:].upper() for c in classes if c.startswith("m-")), "")
            self.scan.mentions.append((type_, a.get("href", ""), block))
        if tag == "a" and "tag" in classes:
            self.scan.tags.append(a.get("href", ""))
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            is_block = ident if ident and (ident.startswith("par") or ident in BLOCK_IDS) else None
            self.blocks.append((tag, is_block, "prose" in classes))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.blocks) - 1, -1, -1):
            if self.blocks[i][0] == tag:
                del self.blocks[i:]
                break


def scan_page(path: Path) -> PageScan:
    """Parse one HTML file."""
    scanner = _Scanner()
    scanner.feed(path.read_text(encoding="utf-8"))
    scanner.close()
    return scanner.scan


@dataclass
class SiteCheck:
    """Problems found in a site, as readable strings."""

    pages: int = 0
    links: int = 0
    mentions: int = 0
    problems: list[str] = field(default_factory=list)


def resolve(page: str, url: str) -> tuple[str, str] | None:
    """Return (target path, fragment) of an internal link, or None for external ones."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    target = unquote(parts.path)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), target)) if target else page
    return path, unquote(parts.fragment)


def check_site(root: Path) -> SiteCheck:
    """Crawl every page under root and report broken links and missing back-links."""
    pages = {p.relative_to(root).as_posix(): scan_page(p) for p in sorted(root.rglob("*.html"))}
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    result = SiteCheck(pages=len(pages))
    family = _family(pages)
    back_links: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for page, scan in pages.items():
        for _, url in scan.links:
            target = resolve(page, url)
            if target is not None:
                back_links[page].add(target)
    for page, scan in pages.items():
        for ident in scan.duplicate_ids:
            result.problems.append(f"{page}: duplicate id {ident!r}")
        for _tag, url in scan.links:
            target = resolve(page, url)
            if target is None and url.startswith(AUTHORITY_LINKS):
                continue  # an entity's authority record, which the authority file names
            if target is None:
                result.problems.append(f"{page}: external or unsafe link {url!r}")
                continue
            result.links += 1
            path, fragment = target
            if path.startswith("../") or path == "..":
                result.problems.append(f"{page}: link leaves the site: {url!r}")
            elif path not in files:
                result.problems.append(f"{page}: broken link {url!r}")
            elif fragment.startswith("with="):  # the filter of an entity's documents (its data beside it)
                facets = re.sub(r"(\.[0-9]+)?\.html$", ".facets.js", path)
                if not re.fullmatch(r"with=(per|loc|org|misc)/[a-z0-9-]+", fragment) or facets not in files:
                    result.problems.append(f"{page}: a filter link without its data {url!r}")
            elif fragment and (path not in pages or fragment not in pages[path].ids):
                result.problems.append(f"{page}: missing fragment {url!r}")
        for type_, href, block in scan.mentions:
            result.mentions += 1
            target = resolve(page, href)
            if target is not None and re.fullmatch(rf"entities/{type_.lower()}(\.[0-9]+)?\.html", target[0]):
                # An entity without a page of its own: its entry on the A-Z index lists this document.
                path, fragment = target
                if path not in pages or not fragment or fragment not in pages[path].ids:
                    result.problems.append(f"{page}: mention in {block or '?'} links to no A-Z entry: {href!r}")
                elif page.startswith("doc/") and not any(t == page for t, _ in back_links[path]):
                    result.problems.append(f"{page}: the A-Z entry {href!r} does not list this document")
                continue
            if not href or target is None or not target[0].startswith(f"entity/{type_.lower()}/"):
                result.problems.append(f"{page}: mention in {block or '?'} does not link to an entity page: {href!r}")
                continue
            if page.startswith("doc/") and not any((page, block) in back_links[p] for p in family.get(target[0], ())):
                result.problems.append(f"{page}: {target[0]} does not link back to #{block}")
        if page.startswith("doc/"):
            for href in scan.tags:
                target = resolve(page, href)
                if target is None or not any(t == page for p in family.get(target[0], ()) for t, _ in back_links[p]):
                    result.problems.append(f"{page}: tag link {href!r} does not resolve to a page listing it")
    return result


def _family(pages: dict) -> dict[str, list[str]]:
    """Return the pages of each paginated list, by the path of its first page."""
    family: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        stem, dot, number = page[:-5].rpartition(".")
        first = f"{stem}.html" if dot and number.isdigit() else page
        family[first].append(page)
    return family


def main(argv: list[str]) -> int:
    """Check the site folder named on the command line; print problems."""
    result = check_site(Path(argv[0]))
    for problem in result.problems[:200]:
        print(problem)
    print(f"{result.pages} pages, {result.links} links, {result.mentions} mentions, {len(result.problems)} problems")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
