"""Timelines: how much there is per year, as bars an SVG draws without a script, and as a table.

``timeline`` is a pure function of counts per year. Every year between the
first and the last gets a bar, so gaps show; each bar links somewhere (the
entity's documents of that year, or the year's page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

#: Drawing units: the SVG scales to the width of its box.
WIDTH, HEIGHT, GAP = 600, 80, 2
#: The widest a bar gets, for timelines of a few years.
MAX_BAR = 40


@dataclass(frozen=True)
class Bar:
    """One year of a timeline."""

    year: str
    count: int
    """What the bar measures: mentions, or documents."""
    documents: int
    href: str
    """Where the bar links; empty for a year with nothing."""
    x: float
    width: float
    height: float

    @property
    def y(self) -> float:
        """Return the top of the bar."""
        return HEIGHT - self.height


@dataclass(frozen=True)
class Timeline:
    """Bars from the first year to the last, with the largest count."""

    bars: tuple[Bar, ...]
    peak: int
    what: str
    """What is counted, in the plural: "mentions" or "documents"."""
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def first(self) -> str:
        return self.bars[0].year if self.bars else ""

    @property
    def last(self) -> str:
        return self.bars[-1].year if self.bars else ""


@dataclass
class Years:
    """A list of items (documents, or an entity's documents) counted by year."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per year: the sum of the items' weights (mentions, or 1 each) and the number of items."""
    first: dict[str, int] = field(default_factory=dict)
    """Per year: the index of its first item in the list."""

    def anchor(self, year: str, index: int) -> str:
        """Return the element id of the item at ``index`` when it is its year's first (its bar links
        there), else ""."""
        return f"year-{year}" if self.first.get(year) == index else ""


def per_year(items: Iterable[tuple[str, int]]) -> Years:
    """Return a list's (year, weight) items counted by year."""
    years = Years()
    for index, (year, weight) in enumerate(items):
        total, count = years.counts.get(year, (0, 0))
        years.counts[year] = (total + weight, count + 1)
        years.first.setdefault(year, index)
    return years


def timeline(counts: Mapping[str, tuple[int, int]], href: Callable[[str], str], what: str) -> Timeline | None:
    """Return the timeline of (count, documents) per year (years as four digits; others are left
    out), each bar linking to ``href(year)``; None when no year is known."""
    years = sorted(y for y in counts if len(y) == 4 and y.isdigit())
    if not years:
        return None
    first, last = int(years[0]), int(years[-1])
    span = last - first + 1
    peak = max(counts[y][0] for y in years)
    step = WIDTH / span
    bars = []
    for i, number in enumerate(range(first, last + 1)):
        year = str(number)
        count, documents = counts.get(year, (0, 0))
        height = 0.0 if not count else max(2.0, HEIGHT * count / peak)
        width = max(1.0, min(step - GAP, MAX_BAR))
        x = i * step + (step - width) / 2  # centred in its year's slot
        bars.append(Bar(year, count, documents, href(year) if count else "", x, width, height))
    return Timeline(tuple(bars), peak, what)
