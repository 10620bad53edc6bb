"""``sitegen serve``: build, serve on loopback, watch the sources and reload open pages."""

from __future__ import annotations

import errno
import signal
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from sitegen.build.incremental import Update, WholeSiteJob, what_changed
from sitegen.build.search import stop_indexing
from sitegen.errors import ConfigError, Diagnostic, SitegenError
from sitegen.report import bug_report, log, show
from sitegen.serve.server import Broadcaster, Gate, PreviewServer, make_handler
from sitegen.serve.session import PreviewSession
from sitegen.serve.watch import watch
from sitegen.site.html import plural

#: Seconds without edits before the whole-site data files are regenerated.
IDLE_BEFORE_DATA = 1.0


def _show(diagnostic: Diagnostic, content: Path) -> str:
    """Return a diagnostic as the terminal and the overlay show it: ``file:line:col: warning: message``."""
    return show(diagnostic, content, excerpt=False)


#: Hosts that mean every network interface.
EVERY_INTERFACE = ("0.0.0.0", "::", "")


def machine_addresses() -> list[str]:
    """Return this machine's own network addresses, loopback left out (best effort)."""
    found: dict[str, None] = {}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM):
            address = str(info[4][0])
            if not address.startswith(("127.", "::1", "fe80")):
                found[address] = None
    except OSError:
        pass
    return list(found)


def _url(host: str, port: int) -> str:
    """Return the address people open in a browser."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    live: PreviewSession,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    poll: bool = False,
    reload: bool = True,
    navigate: bool = False,
) -> int:
    """Build and serve the site until Ctrl-C (or ``stop``); return an exit status.

    The address is taken before the build, so a busy port or a wrong host is
    said at once rather than after building a large site. ``poll`` looks for
    changes instead of waiting for events; without ``reload`` pages are served
    as built, with no live reload; with ``navigate`` open pages go to the
    page of the document that changed last.
    """
    gate, events = Gate(), Broadcaster()
    try:
        server = PreviewServer((host, port), make_handler(live.output, gate, events, reload=reload))
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise ConfigError(
                f"port {port} on {host} is already in use or not allowed;"
                f" choose another with --port, for example --port {port + 1}"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        report = live.build()
    except BaseException:
        server.server_close()
        raise
    for problems in live.initial_problems.values():
        for diagnostic in problems:
            say(_show(diagnostic, live.content))
    if report.error:
        say(f"error: {report.error}")
    else:
        documents = len(live.site.corpus.documents)
        if report.sources or report.theme:
            say(
                f"Updated {live.output} for {what_changed(report.sources, report.theme)}:"
                f" {plural(report.rendered, 'file')} rendered again in {report.seconds:.2f} s"
            )
        elif report.rendered:
            say(f"Built {plural(documents, 'document')}, {plural(report.rendered, 'file')} in {report.seconds:.2f} s")
        else:
            say(f"{live.output} is up to date ({plural(documents, 'document')}): serving it as it is")
    bound = server.server_address[1]
    url = _url(host, bound)
    if host in EVERY_INTERFACE:
        url = _url("::1" if ":" in host else "127.0.0.1", bound)
        others = ", ".join(_url(address, bound) for address in machine_addresses()) or "this machine's addresses"
        say(
            f"warning: --host {host} serves the site to every network this machine is on, not only to you;"
            f" others may open it at {others}"
        )
    events.send(_state(live, report))

    search: dict = {"thread": None, "cancel": threading.Event()}

    def stop_search() -> None:
        """Stop the search indexing under way, if any (its pages wait for the next run); it tidies up
        in its thread while the save that stopped it is rebuilt."""
        thread = search["thread"]
        if thread is not None and thread.is_alive():
            search["cancel"].set()

    def start_search() -> None:
        """Bring the search index up to date in a thread of its own: a save never waits for it."""
        thread = search["thread"]
        if thread is not None and thread.is_alive():
            if not search["cancel"].is_set():
                return  # under way, and up to date with the pages it was given
            thread.join(timeout=2)  # a run that was stopped: let it finish tidying up first
        cancel = search["cancel"] = threading.Event()
        changed = live.take_search_work()

        def run() -> None:
            try:
                seconds = live.reindex_search(changed, cancel)
            except Exception as exc:  # a bug in sitegen: say so, and keep serving
                say(bug_report(exc))
                return
            if seconds is not None:
                say(f"Search index updated in {seconds:.2f} s")

        search["thread"] = threading.Thread(target=run, name="sitegen-search", daemon=True)
        search["thread"].start()

    def rebuild(paths: set[Path]) -> None:
        stop_search()  # a newer save: the index is made again once editing pauses
        try:
            with gate.writing():
                result = live.update(paths, priority=events.open_pages())
        except Exception as exc:  # a bug in sitegen: say so, and keep serving the last good pages
            say(bug_report(exc))
            log.debug("rebuild failed", exc_info=exc)
            result = Update(error=f"internal error while rebuilding ({type(exc).__name__}: {exc}); see the terminal")
        if result is not None:
            for source in result.sources:
                for diagnostic in live.problems.get(source, ()):
                    say(_show(diagnostic, live.content))
            if result.error:
                say(f"error: {result.error}")
            elif not result.rendered and not result.changed and result.sources:
                pass  # only new problems in sources that make no page: said above
            else:
                what = ", ".join(result.sources[:3]) + (" …" if len(result.sources) > 3 else "")
                say(
                    f"Rebuilt {plural(result.rendered, 'page')} ({plural(len(result.changed), 'file')} changed) in "
                    f"{result.seconds * 1000:.0f} ms"
                    + (f": {what}" if what else "")
                    + (f"; updating {result.remaining:,} more pages" if result.remaining else "")
                )
            event = {**_state(live, result), "type": "build", "changed": result.changed, "css_only": result.css_only}
            if navigate and not result.error:
                event["navigate"] = _changed_page(live, result.sources)
            events.send(event)
        watcher.ensure(live.watched())  # a templates/ folder created since the start
        finish_pending()

    def finish_pending() -> None:
        """Render the pages a change left stale, a slice at a time, until a new change arrives.

        These pages are written one by one, each in place at once, without holding page requests:
        the pages a change creates or removes, which links must find, went with the rebuild. The
        whole-site files (data, finder, lists of everything) are made last, once editing pauses, in
        a process that a newer save stops, so that it never waits for them.
        """
        started, total = time.perf_counter(), 0
        while live.pending and not watcher.debouncer.busy() and not watcher.debouncer.stopped:
            try:
                if live.only_whole_site_pending():
                    if watcher.debouncer.busy(wait=IDLE_BEFORE_DATA):
                        return  # editing goes on: the data files can wait
                    outcome = whole_site()
                    if outcome is None:
                        return  # stopped by a newer save: they wait for the next pause
                    changed, count = outcome
                else:
                    changed, count = live.drain(seconds=0.05)
            except SitegenError as exc:  # a template that fails on some page: the next change rebuilds all
                say(f"error: {exc}")
                live.error = str(exc)
                live.pending.clear()
                return
            except Exception as exc:  # a bug in sitegen
                say(bug_report(exc))
                live.pending.clear()
                return
            total += count
            if changed:
                events.send(
                    {
                        "type": "build",
                        "changed": changed,
                        "css_only": False,
                        **{k: v for k, v in _state(live, Update()).items() if k != "type"},
                    }
                )
        if total and not live.pending:
            say(f"Updated {total:,} more pages in {time.perf_counter() - started:.2f} s")
        if live.search_stale and not live.pending and not watcher.debouncer.busy(wait=IDLE_BEFORE_DATA):
            start_search()  # outside the gate and the rebuilds: pages stay served and saves go on

    job: dict[str, WholeSiteJob | None] = {"running": None}

    def whole_site() -> tuple[list[str], int] | None:
        """Make the whole-site files in a process of their own; None when a newer save stopped it."""
        running = job["running"] = live.start_whole_site()
        try:
            while not running.done(wait=0.02):
                if watcher.debouncer.busy() or watcher.debouncer.stopped:
                    running.stop()
                    return None
            taken = live.finish_whole_site(running)
            # A process that failed sent nothing: render here, where an error is said as such.
            return taken if taken is not None else live.drain(seconds=0.05)
        finally:
            job["running"] = None

    output = live.output.absolute()
    watcher = watch(live.watched(), rebuild, accept=lambda p: not p.absolute().is_relative_to(output), poll=poll)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="sitegen-http", daemon=True)
    thread.start()
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C must work even when started from a shell that ignores SIGINT in the background.
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        say(f"Serving {live.output} at {url} — watching for changes, press Ctrl-C to stop")
        if open_browser:
            webbrowser.open(url)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        say("Stopping")
        stop_search()
        stop_indexing(live.output)  # Pagefind itself, at once: the search thread's tidying up is not waited for
        watcher.stop()  # the rebuild thread stops the whole-site process, if one runs…
        running = job["running"]
        if running is not None:
            running.kill()  # …or, when that thread is held up, it is killed here
        events.close()
        server.shutdown()
        server.server_close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def _changed_page(live: PreviewSession, sources: list[str]) -> str:
    """Return the output path of the page of the last changed source that has one ("" if none)."""
    if live.state is None:
        return ""
    urls = live.site.urls
    for source in reversed(sources):
        if source in live.site.corpus:
            return urls.document(source)
        if source in live.site.markdown and source in urls.pages:
            return urls.page(source)
    return ""


def _state(live: PreviewSession, report: Update) -> dict:
    """Return the overlay state: blocking error and the sources' current problems."""
    return {
        "type": "state",
        "problems": [_show(d, live.content) for d in live.current_problems()],
        "error": report.error or live.error or live.template_error or live.authority_error,
    }
