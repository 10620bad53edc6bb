#!/usr/bin/env python3
"""Compare sitegen with Hugo on the same synthetic cables, in one run.

    python benchmarks/hugo_compare.py --cables 10000
    python benchmarks/hugo_compare.py --cables 1000 10000 50000 --no-hugo   # sitegen's scaling curve

For each size it:
1. writes N synthetic cables with benchmarks/corpus.py;
2. converts them to a Hugo site: one Markdown page per cable (mentions as
   styled spans, paragraph anchors kept), the entities as four taxonomies
   (per, loc, org, misc) plus tags, set up as Hugo's experienced users do:
   each page links its terms straight from its front matter (``--get-terms``
   calls ``.GetTerms`` on every page instead, Hugo 0.111's slow path, which
   flatters any competitor);
3. times Hugo and sitegen on a clean build, a rebuild with nothing changed, a
   rebuild after one edited cable, a rebuild after an edit to the template of
   the document pages (``hugo``, ``sitegen build``) and, in their preview
   servers (``hugo server``, ``sitegen serve``), the rebuild after one edited
   cable (the median of three saves);
4. prints wall time, CPU time, peak memory (of the largest process, and of the
   whole process tree with shared pages counted once), files written, output
   size and the ratio of sitegen to Hugo.

Hugo is installed with ``apt-get install hugo`` when missing; if that fails
the Hugo columns are skipped with a message. sitegen is run without its
full-text search index (Hugo builds none); see benchmarks/search_index.py.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAKE_CORPUS = ROOT / "benchmarks" / "corpus.py"

from measure import Run, count, measure  # noqa: E402

from sitegen.build.sources import find_sources, read_source  # noqa: E402
from sitegen.model import ENTITY_TYPES  # noqa: E402

HUGO_CONFIG = """baseURL = "http://example.org/"
title = "Cables"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[taxonomies]
  tag = "tags"
  per = "per"
  loc = "loc"
  org = "org"
  misc = "misc"
"""
#: Each page links its terms from its front matter, the fast way (no .GetTerms).
HUGO_LAYOUTS = {
    "_default/baseof.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
    '</head><body><p><a href="/">home</a></p><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>'
    '{{ range $tax := slice "tags" "per" "loc" "org" "misc" }}<p>{{ $tax }}: {{ range index $.Params $tax }}'
    '<a href="/{{ $tax }}/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>{{ end }}'
    '<div class="cable">{{ .Content }}</div>{{ end }}\n',
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}\n',
}
#: The same site calling .GetTerms on every page (``--get-terms``).
HUGO_LAYOUTS_GET_TERMS = {
    "_default/baseof.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
    '</head><body><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}'
    "{{ range $t, $_ := .Site.Taxonomies }}<ul>{{ range ($.GetTerms $t) }}"
    '<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}'
    "{{ end }}\n",
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
    "_default/terms.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}'
    '<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>'
    "{{ end }}</ul>{{ end }}\n",
}


def ensure_hugo() -> str | None:
    """Return the hugo command, installing Debian's package if needed."""
    found = shutil.which("hugo")
    if found:
        return found
    print("installing Hugo: apt-get install hugo", flush=True)
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "hugo"],
            check=True,
            capture_output=True,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"Hugo is not available ({exc}); its columns are skipped", flush=True)
        return None
    return shutil.which("hugo")


def write_layouts(site: Path, get_terms: bool = False) -> None:
    """Write the Hugo site's templates as they are before any edit."""
    shutil.rmtree(site / "layouts", ignore_errors=True)
    for name, text in (HUGO_LAYOUTS_GET_TERMS if get_terms else HUGO_LAYOUTS).items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def edit_template(path: Path, source: Path) -> None:
    """Write ``source`` to ``path`` with a visible change to every page it renders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    marker = "</article>" if "</article>" in text else "{{ end }}"
    path.write_text(text.replace(marker, "<p>template edit</p>" + marker, 1), encoding="utf-8")


def hugo_site(content: Path, site: Path) -> None:
    """Write the cables as a Hugo site with the entities as taxonomies."""
    (site / "content" / "cables").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    write_layouts(site)
    files, _ = find_sources(content)
    for relative, path in files:
        doc = read_source(relative, path).document
        if doc is None:
            continue
        terms = {t: sorted({m.text for m in doc.mentions if m.type == t}) for t in ENTITY_TYPES}
        tags = list(doc.header.tags) if doc.header else []
        date = doc.date if len(doc.date) == 10 else (doc.year or "2000") + "-01-01"
        front = [f"title: {_yaml(doc.title)}", f"date: {date}", f"tags: [{', '.join(_yaml(t) for t in tags)}]"]
        front += [f"{t.lower()}: [{', '.join(_yaml(n) for n in names)}]" for t, names in terms.items()]
        body = "\n\n".join(
            f'<a id="{par.anchor}" href="#{par.anchor}">¶</a>{par.number}. ' + " ".join(_html(s) for s in par.text)
            for par in doc.paragraphs
        )
        out = site / "content" / "cables" / (Path(relative).stem.lower() + ".md")
        out.write_text("---\n" + "\n".join(front) + "\n---\n" + body + "\n", encoding="utf-8")


def _yaml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _html(segment) -> str:
    """Return a segment as the Hugo page's Markdown has it: a mention as a span styled by its type."""
    if isinstance(segment, str):
        return html.escape(" ".join(segment.split()), quote=False)
    if getattr(segment, "type", None):
        return f'<span class="ent {segment.type.lower()}">{html.escape(segment.text, quote=False)}</span>'
    return html.escape(_text(segment), quote=False)


def _text(segment) -> str:
    return segment if isinstance(segment, str) else getattr(segment, "text", getattr(segment, "name", ""))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def edit_one(path: Path, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[2] = lines[2] + f" {marker} "
    path.write_text("\n".join(lines), encoding="utf-8")


def server_edit(
    command: list[str], cwd: Path, ready: str, done: re.Pattern, edit, env=None, edits: int = 3
) -> list[float]:
    """Start a preview server, edit a source ``edits`` times; return seconds from save to its report."""
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )
    times = []
    try:
        for line in process.stdout:
            if ready in line:
                break
        time.sleep(2)
        for i in range(edits):
            saved = time.perf_counter()
            edit(i)
            for line in process.stdout:
                if done.search(line):
                    times.append(time.perf_counter() - saved)
                    break
            time.sleep(2.5)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return times


def edits_run(seconds: list[float]) -> Run:
    """Return the median time from save to rebuilt of a server's edits, noting them all."""
    if not seconds:
        return Run(wall=float("nan"), note="no edit was reported")
    return Run(wall=statistics.median(seconds), note="median of " + ", ".join(f"{s:.2f}" for s in seconds) + " s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, nargs="+", default=[10000])
    parser.add_argument("--no-hugo", action="store_true", help="measure sitegen only")
    parser.add_argument("--no-serve", action="store_true", help="skip the preview-server edit timings")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="sitegen worker processes (default: all cores)")
    parser.add_argument("--keep", type=Path, help="keep the generated folders here")
    parser.add_argument(
        "--get-terms", action="store_true", help="Hugo templates that call .GetTerms on every page (the slow way)"
    )
    args = parser.parse_args()
    if not MAKE_CORPUS.exists():
        sys.exit(f"cannot find {MAKE_CORPUS}")
    hugo = None if args.no_hugo else ensure_hugo()
    if hugo:
        version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[:2]
        setup = ".GetTerms on every page" if args.get_terms else "terms linked from the front matter"
        print(f"Hugo: {' '.join(version)}, {setup}")
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB")
    header = (
        f"{'cables':>7} {'tool':<8} {'what':<22} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'tree MB':>8}"
        f" {'files':>8} {'MB out':>8} {'vs Hugo':>8}"
    )
    print(header, flush=True)
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    for cables in args.cables:
        work = args.keep / str(cables) if args.keep else Path(tempfile.mkdtemp(prefix="sitegen-hugo-"))
        work.mkdir(parents=True, exist_ok=True)
        try:
            content = work / "content"
            if not content.exists():
                subprocess.run(
                    [sys.executable, str(MAKE_CORPUS), str(cables), str(content)], check=True, stdout=subprocess.DEVNULL
                )
            (work / "sitegen.toml").write_text("[search]\nenabled = false\n", encoding="utf-8")
            results: dict[tuple[str, str], Run] = {}
            if hugo:
                hugo_dir = work / "hugo"
                if not hugo_dir.exists():
                    hugo_site(content, hugo_dir)
                write_layouts(hugo_dir, args.get_terms)
                shutil.rmtree(hugo_dir / "public", ignore_errors=True)
                run, _ = measure([hugo, "--quiet"], hugo_dir)
                run.files, run.size = count(hugo_dir / "public")
                results[("hugo", "clean build")] = run
                run, _ = measure([hugo, "--quiet"], hugo_dir)
                run.files, run.size = count(hugo_dir / "public")
                results[("hugo", "no-op rebuild")] = run
            sources = sorted(content.glob("*.txt"))
            target = sources[len(sources) // 2]
            if hugo:
                edit_one(hugo_dir / "content" / "cables" / (target.stem.lower() + ".md"), "hugobuildedit")
                run, _ = measure([hugo, "--quiet"], hugo_dir)
                results[("hugo", "one edit")] = run
                single = hugo_dir / "layouts" / "_default" / "single.html"
                edit_template(single, single)
                run, _ = measure([hugo, "--quiet"], hugo_dir)
                results[("hugo", "document template")] = run
            shutil.rmtree(work / "site", ignore_errors=True)
            shutil.rmtree(work / "templates", ignore_errors=True)
            (work / ".site.sitegen-cache").unlink(missing_ok=True)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            command = [sys.executable, "-m", "sitegen", "build", "-q", *jobs]
            run, _ = measure(command, work, env)
            run.files, run.size = count(work / "site")
            results[("sitegen", "clean build")] = run
            run, _ = measure(command, work, env)
            results[("sitegen", "no-op rebuild")] = run
            edit_one(target, "sitegenbuildedit")
            run, _ = measure(command, work, env)
            results[("sitegen", "one edit")] = run
            edit_template(
                work / "templates" / "document.html", ROOT / "themes" / "default" / "templates" / "document.html"
            )
            run, _ = measure(command, work, env)
            results[("sitegen", "document template")] = run
            if not args.no_serve:
                port = free_port()
                seconds = server_edit(
                    [sys.executable, "-m", "sitegen", "serve", "--port", str(port)],
                    work,
                    "Serving",
                    re.compile(r"Rebuilt \d"),
                    lambda i, target=target: edit_one(target, f"sitegenedit{i}"),
                    env,
                )
                results[("sitegen", "serve: one edit")] = edits_run(seconds)
                if hugo:
                    page = hugo_dir / "content" / "cables" / (target.stem.lower() + ".md")
                    port = free_port()
                    seconds = server_edit(
                        [hugo, "server", "--port", str(port), "--bind", "127.0.0.1"],
                        hugo_dir,
                        "Web Server is available",
                        re.compile(r"Total in \d+ ms"),
                        lambda i, page=page: edit_one(page, f"hugoedit{i}"),
                    )
                    results[("hugo", "serve: one edit")] = edits_run(seconds)
            for (tool, what), run in results.items():
                peer = results.get(("hugo", what))
                ratio = f"{run.wall / peer.wall:.2f}" if peer and peer.wall and tool == "sitegen" else ""
                print(
                    f"{cables:>7} {tool:<8} {what:<22} {run.wall:>8.2f} {run.cpu:>8.1f} {run.rss / 2**20:>8.0f} "
                    f"{run.tree / 2**20:>8.0f} {run.files:>8} {run.size / 2**20:>8.0f} {ratio:>8}"
                    + (f"  {run.note}" if run.note else ""),
                    flush=True,
                )
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
