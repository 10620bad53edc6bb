"""Timelines: how much there is per year, as bars an SVG draws without a script, and as a table.

``timeline`` is a pure function of counts per year (or per month, when the
items span a few years and their dates have months). Every period between
the first and the last gets a bar, so gaps show; each bar links somewhere
(the entity's documents of that period, or the year's page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

#: Drawing units: the SVG scales to the width of its box.
WIDTH, HEIGHT, GAP = 600, 80, 2
#: The widest a bar gets, for timelines of a few years.
MAX_BAR = 40


#: Bars per month when the dated items span at most this many years.
MONTHLY_YEARS = 3
#: ...and at least this share of their weight has a month.
MONTHLY_SHARE = 0.9
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Bar:
    """One year (or month) of a timeline."""

    year: str
    """The period: ``2009``, or ``2009-03`` on a timeline by month."""
    count: int
    """What the bar measures: mentions, or documents."""
    documents: int
    href: str
    """Where the bar links; empty for a period with nothing."""
    x: float
    width: float
    height: float

    @property
    def y(self) -> float:
        """Return the top of the bar."""
        return HEIGHT - self.height

    @property
    def label(self) -> str:
        """Return the period as a reader says it: ``2009``, ``Mar 2009``."""
        return f"{_MONTHS[int(self.year[5:7]) - 1]} {self.year[:4]}" if len(self.year) == 7 else self.year


@dataclass(frozen=True)
class Timeline:
    """Bars from the first period to the last, with the largest count."""

    bars: tuple[Bar, ...]
    peak: int
    what: str
    """What is counted, in the plural: "mentions" or "documents"."""
    unit: str = "year"
    """What a bar stands for: "year" or "month"."""
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def first(self) -> str:
        return self.bars[0].label if self.bars else ""

    @property
    def last(self) -> str:
        return self.bars[-1].label if self.bars else ""


@dataclass
class Years:
    """A list of items (documents, or an entity's documents) counted by year and by month."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per year: the sum of the items' weights (mentions, or 1 each) and the number of items."""
    months: dict[str, tuple[int, int]] = field(default_factory=dict)
    """The same per month (``2009-03``), for the items whose date has one."""
    first: dict[str, int] = field(default_factory=dict)
    """Per year and per month: the index of its first item in the list."""

    @property
    def monthly(self) -> bool:
        """Return True when the timeline is drawn by month (see by_month)."""
        return by_month(self.counts, self.months)

    def anchor(self, when: tuple[str, str], index: int) -> str:
        """Return the element id of the item at ``index``, dated ``when`` (year, month), when it is
        the first of its bar's period (the bar links there), else ""."""
        period = when[1] if self.monthly and when[1] else when[0]
        return anchor_id(period) if self.first.get(period) == index else ""


def anchor_id(period: str) -> str:
    """Return the element id of the first item of a year (``year-2009``) or month (``month-2009-03``)."""
    return f"month-{period}" if len(period) == 7 else f"year-{period}"


def when(date: str, year: str) -> tuple[str, str]:
    """Return an item's year and month (``2009-03``, or "" when its date has none)."""
    month = date[:7] if len(date) >= 7 and date[4] == "-" and date[5:7].isdigit() and "01" <= date[5:7] <= "12" else ""
    return year, month


def per_year(items: Iterable[tuple[tuple[str, str], int]]) -> Years:
    """Return a list's ((year, month), weight) items counted by year and by month."""
    years = Years()
    for index, ((year, month), weight) in enumerate(items):
        total, count = years.counts.get(year, (0, 0))
        years.counts[year] = (total + weight, count + 1)
        years.first.setdefault(year, index)
        if month:
            total, count = years.months.get(month, (0, 0))
            years.months[month] = (total + weight, count + 1)
            years.first.setdefault(month, index)
    return years


def by_month(counts: Mapping[str, tuple[int, int]], months: Mapping[str, tuple[int, int]]) -> bool:
    """Return True when counts by year are better shown by month: the years are few, and nearly all
    of the weight has a month."""
    years = sorted(int(y) for y in counts if len(y) == 4 and y.isdigit())
    if not years or years[-1] - years[0] >= MONTHLY_YEARS or len(months) < 2:
        return False
    return sum(n for n, _ in months.values()) >= MONTHLY_SHARE * sum(counts[str(y)][0] for y in years)


def timeline(
    counts: Mapping[str, tuple[int, int]],
    href: Callable[[str], str],
    what: str,
    months: Mapping[str, tuple[int, int]] | None = None,
) -> Timeline | None:
    """Return the timeline of (count, documents) per year (years as four digits; others are left
    out), or per month when ``months`` has them and ``by_month`` says so; each bar links to
    ``href(period)``. None when no year is known."""
    if months is not None and by_month(counts, months):
        periods = sorted(months)
        start, stop = (
            int(periods[0][:4]) * 12 + int(periods[0][5:]) - 1,
            int(periods[-1][:4]) * 12 + int(periods[-1][5:]),
        )
        return _bars([f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(start, stop)], months, href, what, "month")
    years = sorted(y for y in counts if len(y) == 4 and y.isdigit())
    if not years:
        return None
    return _bars([str(n) for n in range(int(years[0]), int(years[-1]) + 1)], counts, href, what, "year")


def _bars(
    periods: list[str], counts: Mapping[str, tuple[int, int]], href: Callable[[str], str], what: str, unit: str
) -> Timeline:
    """Return a bar for every period, in order: gaps show as periods without a bar."""
    peak = max(counts.get(p, (0, 0))[0] for p in periods)
    step = WIDTH / len(periods)
    bars = []
    for i, period in enumerate(periods):
        count, documents = counts.get(period, (0, 0))
        height = 0.0 if not count else max(2.0, HEIGHT * count / peak)
        width = max(1.0, min(step - GAP, MAX_BAR))
        x = i * step + (step - width) / 2  # centred in its period's slot
        bars.append(Bar(period, count, documents, href(period) if count else "", x, width, height))
    return Timeline(tuple(bars), peak, what, unit)
