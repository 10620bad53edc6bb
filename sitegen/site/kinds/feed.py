"""The Atom feed of the latest documents (feed.xml)."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.site import exports
from sitegen.site.change import Change
from sitegen.site.kinds.base import Affected, Family, PageKind
from sitegen.site.pages import Page, Site


class Feed(PageKind):
    """``("feed",)``: feed.xml."""

    name = "feed"
    whole_site = True

    def pages(self, site: Site, family: Family, only: set[int] | None = None) -> Iterator[Page]:
        """Yield the feed."""
        yield Page(exports.FEED, "", {"body": exports.atom_feed(site)})

    def paths(self, site: Site, family: Family) -> list[str]:
        """Return its path."""
        return [exports.FEED]

    def affected(self, site: Site, change: Change) -> Affected:
        """When a listed document changed, or rows or the order of documents did."""
        in_feed = {d.source for d in exports.feed_documents(site.corpus.documents)} | change.feed_before
        if change.rows or not change.same_order or any(s in in_feed for s in change.documents):
            yield (self.name,), None
