"""The command line: parse arguments, call one library function, return an exit code."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from sitegen import __version__
from sitegen.build.check import check, report
from sitegen.build.context import BuildContext, default_jobs
from sitegen.build.incremental import what_changed
from sitegen.build.pipeline import BuildResult, build
from sitegen.build.search import SearchIndex
from sitegen.errors import ConfigError, SitegenError
from sitegen.index.check import suggestions
from sitegen.report import Progress, Reporter, bug_report, display_path, verbose_logging
from sitegen.site.html import plural
from sitegen.tag import DEFAULT_MODEL, tag_folder

EXIT_OK, EXIT_WARNINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

DESCRIPTION = """\
Build a static web site from documents whose named entities are tagged
like [PER Alan Garcia  ], [LOC Peru  ], [ORG Shining Path  ] or [MISC Peruvian  ],
or annotated in CoNLL, JSONL/JSON (Prodigy, doccano, spaCy), brat or .spacy files.
Every document becomes a page; every entity, tag, origin, classification and
year gets an index page. The output is plain files with relative links.
"""

EPILOG = """\
exit status:
  0  the site was built
  1  the build failed, or --strict was given and there were warnings
  2  the configuration or the command line is wrong
  3  sitegen itself failed (a bug: the traceback is printed; please report it)

examples:
  sitegen build                          build content/ into site/
  sitegen build --content cables --output public --strict
  sitegen serve                          preview at http://127.0.0.1:8000/
  sitegen check                          what to fix in the annotations
  sitegen tag texts content              tag plain text with spaCy, then build
"""


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sitegen`` command."""
    parser = argparse.ArgumentParser(
        prog="sitegen", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build_cmd = commands.add_parser(
        "build",
        help="build the site once",
        description="Build the site from the content folder into the output folder.\n"
        "The previous site is replaced only when the build succeeds.\n\n"
        "When nothing changed since the last build, nothing is done. When only some\n"
        "sources, templates or theme files changed, the pages they affect are updated\n"
        "in place. The parsed sources are cached in a file beside the output folder\n"
        "(.site.sitegen-cache for site/).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_site_options(build_cmd)
    build_cmd.add_argument("--strict", action="store_true", help="exit with status 1 when there is any warning")
    build_cmd.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors, not the summary")
    build_cmd.add_argument(
        "--force",
        action="store_true",
        help="rebuild everything from scratch, ignoring the last build's manifest and cache",
    )
    serve_cmd = commands.add_parser(
        "serve",
        help="build, serve and rebuild on every change (live preview)",
        description="Build the site, serve it over HTTP and watch the content folder, "
        "templates/, the theme and sitegen.toml. Each change rebuilds only the "
        "pages it affects and updates open browser pages; problems appear in an "
        "overlay on the page. The preview script is never written to the output.",
        epilog="examples:\n  sitegen serve\n  sitegen serve --port 8080 --open\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_site_options(serve_cmd)
    check_cmd = commands.add_parser(
        "check",
        help="report what an editor should look at in the annotations",
        description="Read every source and the authority file (entities.toml) as a build would, and report,\n"
        "each with file:line:col and its number of mentions: names tagged under several types,\n"
        "near-duplicate names, likely tagger noise, alias candidates (surnames, acronyms in\n"
        "parentheses) and rules of the authority file that match nothing. Nothing is written\n"
        "but the --suggest file.",
        epilog="examples:\n  sitegen check\n  sitegen check --format json > findings.json\n"
        "  sitegen check --suggest suggested-entities.toml\n  sitegen check --strict   # exit 1 on any finding (CI)\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_site_options(check_cmd)
    check_cmd.add_argument(
        "--format", choices=("text", "json", "csv"), default="text", help="text for a terminal (default), json or csv"
    )
    check_cmd.add_argument(
        "--suggest", type=Path, metavar="FILE", help="write the suggested aliases and drops as an authority file"
    )
    check_cmd.add_argument("--strict", action="store_true", help="exit with status 1 when there is any finding")
    tag_cmd = commands.add_parser(
        "tag",
        help="tag plain text files with a spaCy pipeline, for build to read",
        description="Run a spaCy pipeline over the plain text files (.txt) under SRC and write each one's\n"
        "named entities beside its text as a document under DEST, keeping file names and folders\n"
        "(SRC/a/b.txt -> DEST/a/b.json). sitegen build reads those documents; [types.map] in\n"
        "sitegen.toml maps spaCy's labels (PERSON, GPE, ORG, NORP...) to PER, LOC, ORG and MISC.\n"
        "A file whose output is newer than it is skipped. The tagger and model are recorded in\n"
        "each output.\n\n"
        "spaCy is an optional extra: pip install 'sitegen[ner]'. Models are installed as spaCy's\n"
        "are: python -m spacy download en_core_web_sm. --model also takes a saved pipeline's folder.",
        epilog="examples:\n  sitegen tag texts content\n  sitegen tag texts content --model en_core_web_trf -j 1\n"
        "  sitegen tag texts content && sitegen build\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tag_cmd.add_argument("src", type=Path, metavar="SRC", help="folder of plain text files")
    tag_cmd.add_argument(
        "dest", type=Path, metavar="DEST", help="folder to write the tagged documents to (the content folder)"
    )
    tag_cmd.add_argument(
        "--model", default=DEFAULT_MODEL, help=f"spaCy model name or folder (default: {DEFAULT_MODEL})"
    )
    tag_cmd.add_argument(
        "-j", "--jobs", type=int, metavar="N", default=0, help="processes tagging at once (default: one per CPU core)"
    )
    tag_cmd.add_argument("--force", action="store_true", help="tag every file again, even when its output is newer")
    tag_cmd.add_argument("-v", "--verbose", action="store_true", help="say what each stage does (to stderr)")
    serve_cmd.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve_cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve_cmd.add_argument(
        "--watch",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also watch this folder (repeatable); a change in it builds the whole site again",
    )
    serve_cmd.add_argument(
        "--poll",
        action="store_true",
        help="look for changes every second instead of waiting for the system to tell them"
        " (network shares, some containers and virtual machines)",
    )
    serve_cmd.add_argument(
        "--no-reload", action="store_true", help="serve the pages as built, without live reload or the problem overlay"
    )
    serve_cmd.add_argument(
        "--navigate", action="store_true", help="open pages go to the page of the document that was changed last"
    )
    return parser


def _add_site_options(command: argparse.ArgumentParser) -> None:
    """Add the options every command shares: content, output and configuration."""
    command.add_argument(
        "--content", type=Path, metavar="DIR", help="folder of source documents (default: content/, or [site] content)"
    )
    command.add_argument(
        "--output", type=Path, metavar="DIR", help="folder to write the site to (default: site/, or [site] output)"
    )
    command.add_argument(
        "--config", type=Path, metavar="FILE", help="configuration file (default: sitegen.toml when it exists)"
    )
    command.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        default=0,
        help="processes working at once: N forked workers parse, then this one and N-1"
        " workers render (default: one per CPU core; 1: no workers)",
    )
    command.add_argument(
        "-v", "--verbose", action="store_true", help="say what each stage does and why (Python logging, to stderr)"
    )


def run_build(args: argparse.Namespace) -> int:
    """Run ``sitegen build``."""
    ctx = _context(args, force=args.force)
    output = ctx.output
    result = build(ctx)
    if _until_exit is not None:
        _until_exit.append(result)  # its site, let go of by the exit (see entry)
    if not args.quiet:
        print(summary(result, display_path(output)))
    if args.strict and result.warnings:
        print(f"error: {len(result.warnings)} warning(s) and --strict was given", file=sys.stderr)
        return EXIT_WARNINGS
    return EXIT_OK


def summary(result: BuildResult, output: str) -> str:
    """Return the line that says what a build did."""
    site = f"{plural(result.documents, 'document')}, {plural(result.pages, 'page')}"
    warnings = plural(len(result.warnings), "warning")
    if result.up_to_date:
        return f"{output}/ is up to date: {site}, nothing changed since the last build ({warnings}; --force rebuilds)"
    update = result.update
    if update is not None and not update.sources and not update.theme:
        return f"{output}/ is up to date: {site}; sources were saved again but their content did not change"
    if update is not None:
        return (
            f"Updated {output}/ for {what_changed(update.sources, update.theme)}: {update.rendered:,} of"
            f" {result.files:,} files rendered again, {len(update.changed):,} changed{_searched(update.search)};"
            f" {site}, {warnings} in {result.seconds:.2f} s"
        )
    search = f", search index {megabytes(result.search_bytes)}" if result.search_bytes else ""
    return (
        f"Built {plural(result.documents, 'document')}, {plural(result.entities, 'entity', 'entities')},"
        f" {plural(result.pages, 'page')} ({plural(result.files, 'file')}, {megabytes(result.bytes)}{search})"
        f" into {output}/ with {warnings} in {result.seconds:.2f} s"
    )


def _searched(index: SearchIndex | None) -> str:
    """Return what an update's indexing for search did, as its summary says it (Pagefind takes
    seconds a part, so the user sees where an update's time went)."""
    if index is None:
        return ""
    if not index.parts:
        return ", the search index unchanged"
    return f", {index.parts:,} of {plural(index.total_parts, 'part')} of the search index indexed again in {index.seconds:.1f} s"


def megabytes(size: int) -> str:
    """Return a size as the summary says it: ``317 MB``, ``4.2 MB``, ``0.3 MB``."""
    mb = size / 1e6
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def _jobs(args: argparse.Namespace) -> int:
    """Return the number of processes asked for to render pages (0: one per core)."""
    if args.jobs < 0:
        raise ConfigError(f"--jobs must be 0 (one per core) or more, not {args.jobs}")
    return args.jobs or default_jobs()


def _context(args: argparse.Namespace, force: bool = False) -> BuildContext:
    """Return the build context the command line asks for: configuration, folders, processes, messages."""
    config_path = args.config if args.config is not None else Path("sitegen.toml")
    ctx = BuildContext.load(
        config_path, args.content, args.output, required=args.config is not None, jobs=_jobs(args), force=force
    )
    return replace(ctx, reporter=Reporter.terminal(ctx.content))


def run_serve(args: argparse.Namespace) -> int:
    """Run ``sitegen serve``."""
    from sitegen.serve.preview import serve  # the server and the watcher: only this command needs them
    from sitegen.serve.session import PreviewSession

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, not {args.port}")
    live = PreviewSession(replace(_context(args), reporter=Reporter()))  # serve shows problems itself
    for folder in args.watch:
        if not folder.is_dir():
            raise ConfigError(f"--watch {folder}: no such folder")
    live.also_watched = [folder.absolute() for folder in args.watch]
    return serve(
        live,
        host=args.host,
        port=args.port,
        open_browser=args.open,
        say=lambda line: print(line, flush=True),
        poll=args.poll,
        reload=not args.no_reload,
        navigate=args.navigate,
    )


def run_check(args: argparse.Namespace) -> int:
    """Run ``sitegen check``."""
    ctx = _context(args)
    findings = check(replace(ctx, reporter=Reporter.terminal(ctx.content)))
    sys.stdout.write(report(findings, args.format))
    if args.suggest is not None:
        args.suggest.write_text(suggestions(findings), encoding="utf-8")
        print(f"wrote suggestions to {display_path(args.suggest)}: review them before using them", file=sys.stderr)
    return EXIT_WARNINGS if args.strict and findings else EXIT_OK


def run_tag(args: argparse.Namespace) -> int:
    """Run ``sitegen tag``."""
    started = time.perf_counter()
    result = tag_folder(args.src, args.dest, args.model, _jobs(args), Progress(), force=args.force)
    reporter = Reporter.terminal(args.src)
    reporter.warnings(result.problems)
    seconds = time.perf_counter() - started
    per = f", {seconds * 1000 / result.tagged:.0f} ms a file" if result.tagged else ""
    print(
        f"Tagged {plural(result.tagged, 'file')} ({plural(result.entities, 'entity', 'entities')}) into"
        f" {display_path(args.dest)}/ with {result.tagger} in {seconds:.2f} s{per};"
        f" {plural(result.skipped, 'file')} already up to date, {plural(len(result.problems), 'problem')}"
    )
    if result.tagged:
        print(f'To name the tagger on the site, add to sitegen.toml:  [annotations] tagger = "{result.tagger}"')
    return EXIT_WARNINGS if result.problems else EXIT_OK


#: What a command made, kept until the process ends when it runs as the ``sitegen`` command (see entry).
_until_exit: list[object] | None = None


#: Objects made between two passes of the cyclic garbage collector over the newest ones (Python's
#: default is 700).
GC_YOUNG = 100_000


def entry() -> NoReturn:
    """Run the ``sitegen`` command, then end the process at once.

    A build holds a site of millions of objects. Freeing them one by one,
    then taking the interpreter down, costs a tenth of a small update; the
    process ends without either (every file is closed by then, and the
    output is flushed here). The garbage collector looks for cycles after
    every GC_YOUNG objects made rather than 700: its passes over what an
    update makes cost it another twentieth, and most of what sitegen makes
    lives as long as the command or is freed without it.
    """
    global _until_exit
    _until_exit = []
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.verbose:
        verbose_logging()
    try:
        run = {"serve": run_serve, "check": run_check, "tag": run_tag}.get(args.command, run_build)
        return run(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SitegenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WARNINGS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in sitegen itself: show it as one, never as a problem of the files
        print(bug_report(exc), file=sys.stderr)
        return EXIT_BUG
