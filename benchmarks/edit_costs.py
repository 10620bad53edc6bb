#!/usr/bin/env python3
"""Measure what each common kind of edit costs an update of a built site.

    python benchmarks/edit_costs.py                     # 2,000 synthetic cables
    python benchmarks/edit_costs.py --cables 10000
    python benchmarks/edit_costs.py --content ../my-archive/cables --search

It copies the sources into a work folder, builds them once (search off, as
``vs_hugo.sh`` does, unless ``--search``), then makes the edits of ``edits``
one after the other to one cable, each followed by ``sitegen build``. For
each it prints how many files the update rendered again, how many of them
changed, its time and, with ``--search``, how many parts of the search index
it indexed again. An update should cost what the edit changes: a fix of one
annotation renders the pages that show it, not every page that names the
entity, and indexes again only the pages whose text changed.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import count, measure, sources_parser, write_cables  # noqa: E402

MENTION = re.compile(r"\[(PER|LOC|ORG|MISC) ([^\[\]\n]+?)\s*\]")
UPDATED = re.compile(r"Updated .*?: ([\d,]+) of ([\d,]+) files rendered again, ([\d,]+) changed")
SUBJECT = re.compile(r"SUBJECT\s*:\s*", re.IGNORECASE)
NEW_CABLE = "zz-edit-costs-new.txt"


def most_named(content: Path) -> tuple[str, str]:
    """Return the type and words of the entity the sources name most often."""
    counts: Counter[tuple[str, str]] = Counter()
    for path in content.rglob("*.txt"):
        counts.update((kind, words.strip()) for kind, words in MENTION.findall(path.read_text(encoding="utf-8")))
    return counts.most_common(1)[0][0]


def append_line(path: Path, line: str) -> None:
    """Add ``line`` after the cable's first line (inside its body)."""
    first, _, rest = path.read_text(encoding="utf-8").partition("\n")
    path.write_text(f"{first}\n{line}\n{rest}", encoding="utf-8")


def retype_first_mention(path: Path) -> None:
    """Give the cable's first mention in its body another type."""
    text = path.read_text(encoding="utf-8")
    body = text.index("\n") + 1
    found = MENTION.search(text, body)
    if found is None:
        raise SystemExit(f"{path.name} has no mention to retype")
    other = {"PER": "ORG", "ORG": "PER", "LOC": "ORG", "MISC": "ORG"}[found.group(1)]
    path.write_text(text[: found.start(1)] + other + text[found.end(1) :], encoding="utf-8")


def retitle(path: Path) -> None:
    """Put a word in front of the cable's subject."""
    text = path.read_text(encoding="utf-8")
    retitled = SUBJECT.sub(lambda found: found.group(0) + "NEW ", text, count=1)
    if retitled == text:
        raise SystemExit(f"{path.name} has no subject to change")
    path.write_text(retitled, encoding="utf-8")


def edits(content: Path, cable: Path, common: tuple[str, str]) -> list[tuple[str, Callable[[], None]]]:
    """Return each edit's name and what it does to the sources."""
    kind, words = common
    new = content / NEW_CABLE
    return [
        ("plain text", lambda: append_line(cable, "1. The talks went on late .")),
        ("a new person", lambda: append_line(cable, "2. [PER Zyzzyva Quuxley  ] spoke .")),
        (f"one more mention of {words} ({kind})", lambda: append_line(cable, f"3. In [{kind} {words}  ] again .")),
        ("a mention retyped", lambda: retype_first_mention(cable)),
        ("a new title", lambda: retitle(cable)),
        ("a new cable", lambda: new.write_text(f"1. A short note on [{kind} {words}  ] .\n", encoding="utf-8")),
        ("that cable deleted", new.unlink),
    ]


def build(content: Path, site: Path, work: Path) -> tuple[float, str]:
    """Build (or update) the site; return its seconds and what sitegen said."""
    run, said = measure(
        [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--output", str(site)], cwd=work
    )
    return run.wall, said


def search_parts(site: Path) -> dict[str, int]:
    """Return each part of the search index with the inode of its folder, which a new index of it replaces."""
    return {part.name: part.stat().st_ino for part in (site / "pagefind").glob("p*") if part.is_dir()}


def main() -> int:
    parser = sources_parser(__doc__, "a folder of .txt cables to copy and edit instead")
    parser.add_argument(
        "--search", action="store_true", help="build with full-text search on, as sitegen does by default"
    )
    parser.add_argument(
        "--part-megabytes", type=float, metavar="MB", help="with --search: the size of the index's parts (default 150)"
    )
    args = parser.parse_args()
    if args.part_megabytes is not None and not args.search:
        parser.error("--part-megabytes needs --search")
    with tempfile.TemporaryDirectory(prefix="sitegen-edits-", dir=args.work) as temporary:
        work = Path(temporary)
        content, site = work / "content", work / "site"
        if args.content is not None:
            shutil.copytree(args.content, content)
        else:
            write_cables(args.cables, content)
        if not args.search:
            (work / "sitegen.toml").write_text("[search]\nenabled = false\n", encoding="utf-8")
        elif args.part_megabytes is not None:
            (work / "sitegen.toml").write_text(f"[search]\npart_megabytes = {args.part_megabytes}\n", encoding="utf-8")
        sources = sorted(content.rglob("*.txt"))
        cable, common = sources[min(6, len(sources) - 1)], most_named(content)
        print(f"sources: {count(content)[0]:,} files; the edited cable: {cable.relative_to(content)}")
        seconds, _ = build(content, site, work)
        print(f"clean build: {seconds:.1f} s, {count(site, skip='.sitegen')[0]:,} files")
        print(f"{'edit':44} {'rendered':>9} {'changed':>8} {'seconds':>8}" + ("  search parts" if args.search else ""))
        for name, edit in edits(content, cable, common):
            edit()
            parts = search_parts(site)
            seconds, said = build(content, site, work)
            now = search_parts(site)
            found = UPDATED.search(said)
            if found:
                rendered, changed = found.group(1), found.group(3)
            else:  # built whole, or found up to date
                rendered, changed = ("whole", "all") if "Built " in said else ("none", "none")
            indexed = f"  {sum(now.get(part) != inode for part, inode in parts.items())} of {len(now)}"
            print(f"{name[:44]:44} {rendered:>9} {changed:>8} {seconds:8.2f}" + (indexed if args.search else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
