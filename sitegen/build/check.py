"""``sitegen check``: read every source as a build would and report what an editor should look at."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

from sitegen.build.context import BuildContext
from sitegen.build.gather import authority_warnings
from sitegen.build.sources import find_sources, read_sources
from sitegen.index.check import Finding, find_problems
from sitegen.model import Document
from sitegen.report import display_path


def check(ctx: BuildContext) -> list[Finding]:
    """Return the findings about the sources of ``ctx``, read and resolved as a build would."""
    ctx.check()
    resolver = ctx.resolver()
    files, _ = find_sources(ctx.content, ctx.config.formats)
    sources = []
    progress = ctx.reporter.progress

    def documents() -> Iterator[Document]:
        for done, (source, doc, _, _, _) in enumerate(
            read_sources(files, None, ctx.jobs, resolver, formats=ctx.config.formats), 1
        ):
            progress.update("reading", done, len(files))
            if doc is not None:
                yield doc
            sources.append(source)

    findings = [replace(f, where=display_path(ctx.content / f.where)) for f in find_problems(documents())]
    progress.clear()
    for warning in authority_warnings(resolver.authority, sources):
        findings.append(
            Finding("unused rule", warning.message, f"{display_path(Path(warning.path))}:{warning.line}:1", 0)
        )
    return findings


#: How each kind of finding is headed in the text report.
HEADINGS = {
    "type conflict": "Names tagged under several types",
    "near duplicate": "Near-duplicate names",
    "likely junk": "Likely tagger noise",
    "alias candidate": "Alias candidates",
    "unused rule": "Rules of the authority file that match nothing",
}


def report(findings: list[Finding], form: str) -> str:
    """Return the findings as text for a terminal, or as JSON or CSV for scripts."""
    if form == "json":
        return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=1) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["kind", "where", "mentions", "type", "names", "message"])
        for f in findings:
            writer.writerow([f.kind, f.where, f.mentions, f.type, " | ".join(f.names), f.message])
        return out.getvalue()
    lines, kind = [], ""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    for f in findings:
        if f.kind != kind:
            kind = f.kind
            lines.append(f"\n{HEADINGS[kind]} ({counts[kind]:,}):")
        lines.append(f"  {f.where}: {f.message}")
    summary = ", ".join(f"{n:,} {k if n == 1 or k == 'likely junk' else k + 's'}" for k, n in counts.items())
    return (
        "\n".join(lines).lstrip("\n") + ("\n\n" if lines else "") + f"sitegen check: {summary or 'nothing to report'}\n"
    )
