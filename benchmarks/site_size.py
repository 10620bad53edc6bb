#!/usr/bin/env python3
"""Measure what a site weighs against its sources, with the settings that make it smaller.

    python benchmarks/site_size.py                      # 2,000 synthetic cables
    python benchmarks/site_size.py --cables 10000
    python benchmarks/site_size.py --content ../my-archive/cables

It builds the same sources once per row of SETTINGS, each row adding its
setting to those above it, and prints for each: the files of the site and
their bytes (the search index apart, as ``sitegen build`` says them), the
whole against the bytes of the sources, and the largest document page.
docs/building.md has its figures for the real cables.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import count, measure, sources_parser, write_cables  # noqa: E402

#: Each row: its name, and the setting it adds to the rows above it (section, key, TOML value).
SETTINGS: list[tuple[str, tuple[str, str, str] | None]] = [
    ("defaults", None),
    ("minify = true", ("pages", "minify", "true")),
    ("source_views = false", ("pages", "source_views", "false")),
    ("document_data = false", ("pages", "document_data", "false")),
    ("entity_min_mentions = 5", ("pages", "entity_min_mentions", "5")),
    ("research_min_documents = 10", ("pages", "research_min_documents", "10")),
    ("[search] enabled = false", ("search", "enabled", "false")),
]


def largest_page(site: Path) -> tuple[int, str]:
    """Return the bytes and path of the largest document page."""
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in (site / "doc").rglob("*.html")]
    return max(pages, default=(0, ""))


def toml(settings: list[tuple[str, str, str]]) -> str:
    """Return a sitegen.toml holding ``settings``."""
    sections: dict[str, list[str]] = {}
    for section, key, value in settings:
        sections.setdefault(section, []).append(f"{key} = {value}")
    return "".join(f"[{name}]\n" + "".join(f"{line}\n" for line in lines) for name, lines in sections.items())


def main() -> int:
    args = sources_parser(__doc__, "a folder of sources to build instead of synthetic cables").parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-size-", dir=args.work) as temporary:
        work = Path(temporary)
        content = args.content.resolve() if args.content else work / "content"
        if args.content is None:
            write_cables(args.cables, content)
        sources, source_bytes = count(content)
        print(f"sources: {sources:,} files, {source_bytes / 1e6:,.1f} MB ({content})")
        print(
            f"{'each row adds its setting':30} {'files':>8} {'site MB':>9} {'search MB':>9} {'× sources':>9}  largest page"
        )
        chosen: list[tuple[str, str, str]] = []
        for name, setting in SETTINGS:
            if setting is not None:
                chosen.append(setting)
            (work / "sitegen.toml").write_text(toml(chosen), encoding="utf-8")
            site = work / "site"
            run, _ = measure(
                [
                    sys.executable,
                    "-m",
                    "sitegen",
                    "build",
                    "-q",
                    "--force",
                    "--content",
                    str(content),
                    "--output",
                    str(site),
                ],
                cwd=work,
            )
            files, size = count(site, skip=".sitegen")  # not the build's own records
            search = count(site / "pagefind")[1] if (site / "pagefind").is_dir() else 0
            page_bytes, page = largest_page(site)
            print(
                f"{name:30} {files:8,} {(size - search) / 1e6:9,.1f} {search / 1e6:9,.1f} {size / source_bytes:9.1f}"
                f"  {page_bytes / 1e3:,.0f} KB {page} ({run.wall:.0f} s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
