"""Pages -> HTML: the Jinja2 environment, theme lookup and template errors."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import jinja2
import jinja2.bccache
import jinja2.meta

from sitegen.build.output import static_files
from sitegen.errors import ConfigError, SitegenError
from sitegen.site.pages import Page

_PACKAGE = Path(__file__).resolve().parent.parent
#: A template that writes a type's colour.
_COLOUR = re.compile(r"\.(dark_)?color\b")


#: The name of the configuration's look among the theme's hashes.
LOOK = "look"


class TemplateError(SitegenError):
    """A template cannot be loaded or rendered; names the template file and line."""


class SiteEnvironment(jinja2.Environment):
    """The Jinja2 environment of a site's templates, which knows whether the HTML pages it renders
    are minified (``[pages] minify``)."""

    minify: bool = False


def find_theme(theme: str, root: Path) -> Path:
    """Return the folder of a theme: a path, a project theme or a bundled one."""
    candidates = []
    if "/" in theme or "\\" in theme or theme.startswith("."):
        candidates.append(root / theme)
    else:
        candidates += [
            root / "themes" / theme,
            _PACKAGE / "themes" / theme,  # installed from a wheel
            _PACKAGE.parent / "themes" / theme,
        ]  # running from a checkout
    for folder in candidates:
        if (folder / "templates").is_dir():
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"theme '{theme}' not found (looked in {looked})")


def make_environment(theme_dir: Path, overrides: Path | None, *, minify: bool = False) -> SiteEnvironment:
    """Return a Jinja2 environment where project templates override the theme's, and whose HTML
    pages are minified when ``minify``.

    Its templates are the versions on disk now, loaded at once and never
    read again: pages render from the last templates that loaded, even
    while the preview waits for a template being edited to be fixed (a
    new environment takes the new versions). Each is compiled once per
    version: Jinja2's bytecode cache keeps the compiled code by the
    template's source (see bytecode_cache).
    """
    folders = [str(overrides)] if overrides is not None and overrides.is_dir() else []
    folders.append(str(theme_dir / "templates"))
    env = SiteEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
        bytecode_cache=bytecode_cache(),
    )
    env.minify = minify
    for name in env.list_templates():
        try:
            env.get_template(name)
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            pass  # reported with its file and line when a page uses it
    return env


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates in a folder, which never fails a build: a template whose
    compiled code cannot be read or kept is compiled from its source, as without the cache.

    A template's compiled code is used only for the source it was compiled
    from, by the same versions of Jinja2 and Python (Jinja2 checks both).
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Load a template's compiled code into ``bucket``, or leave it empty."""
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a template's compiled code, or not when the folder cannot take it."""
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass

    def _references_file(self, source: str) -> Path:
        """Return where the templates that a template's source names are kept (see _references)."""
        digest = hashlib.sha256(f"{jinja2.__version__}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()
        return Path(self.directory) / f"sitegen-references-{digest}.json"

    def load_references(self, source: str) -> list[str | None] | None:
        """Return the templates a source names as dump_references kept them (None among them: one
        named through a variable); None when they are not kept, or cannot be read."""
        try:
            found = json.loads(self._references_file(source).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(found, list) and all(name is None or isinstance(name, str) for name in found):
            return found
        return None

    def dump_references(self, source: str, named: list[str | None]) -> None:
        """Keep the templates a source names, or not when the folder cannot take them."""
        path = self._references_file(source)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            tmp.write_text(json.dumps(named), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)


@functools.cache
def bytecode_cache() -> CompiledTemplates | None:
    """Return where compiled templates are kept between runs: Jinja2's own folder for this user in
    the temporary folder, readable by this user only (None, and templates compiled each run, when
    it cannot be made)."""
    try:
        return CompiledTemplates()
    except (OSError, RuntimeError):
        return None


def template_hashes(env: jinja2.Environment, look: str = "") -> dict[str, str]:
    """Return a hash of each template together with every template it extends, includes or imports.

    A page needs re-rendering exactly when the hash of its template changed.
    A template that names another through a variable may use any of them,
    so its hash covers them all. A template that cannot be read or parsed
    hashes as its error, which still tells a change. A template that writes
    a type's colour (``.color``, ``dark_color``) hashes with ``look``, the
    configuration's colours (Config.look): a project theme may colour its
    pages inline, where the bundled one leaves colours to colours.css.
    """
    sources: dict[str, str] = {}
    references: dict[str, frozenset[str] | None] = {}
    for name in env.list_templates():
        try:
            sources[name] = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            references[name] = _references(env, sources[name])
        except (jinja2.TemplateError, OSError, UnicodeDecodeError) as exc:
            sources.setdefault(name, f"error: {exc!r}")
            references[name] = frozenset()
    everything = sorted(sources)
    hashes = {}
    for name in everything:
        closure, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in closure:
                continue
            closure.add(current)
            named = references.get(current, frozenset())
            todo += everything if named is None else sorted(named)
        digest = hashlib.sha256()
        for member in sorted(closure):
            digest.update(f"{member}\0{sources.get(member, '')}\0".encode("utf-8", "surrogatepass"))
        if any(_COLOUR.search(sources.get(member, "")) for member in closure):
            digest.update(f"look\0{look}".encode())
        hashes[name] = digest.hexdigest()
    return hashes


@functools.lru_cache(maxsize=256)
def _references(env: jinja2.Environment, source: str) -> frozenset[str] | None:
    """Return the templates that a template's source extends, includes or imports; None when it
    names one through a variable. Kept for each source: a build asks twice, a preview at each edit,
    and the next run finds them beside the compiled templates rather than parsing every template.
    Raises jinja2.TemplateError when the source does not parse."""
    kept = bytecode_cache()
    named = kept.load_references(source) if kept is not None else None
    if named is None:
        named = list(jinja2.meta.find_referenced_templates(env.parse(source)))
        if kept is not None:
            kept.dump_references(source, named)
    found = set(named)
    return None if None in found else frozenset(found)  # type: ignore[arg-type]


def theme_hashes(env: jinja2.Environment, theme: Path, look: str = "") -> dict[str, str]:
    """Return what the look of the pages depends on, besides the rest of the configuration, as hashes by name.

    ``templates/NAME`` is each template's hash with every template it uses
    (and ``look`` when it writes colours); ``static/PATH`` is each of the
    theme's static files, copied into ``assets/``; ``look`` the
    configuration's colours and highlighting styles (Config.look), which the
    stylesheets sitegen writes show.
    """
    hashes = {f"templates/{name}": digest for name, digest in template_hashes(env, look).items()}
    hashes[LOOK] = hashlib.sha256(look.encode()).hexdigest()
    for name, file in static_files(theme / "static"):
        hashes[f"static/{name}"] = hashlib.sha256(file.read_bytes()).hexdigest()
    return hashes


def render_page(env: jinja2.Environment, page: Page) -> str:
    """Render one page whole; raise TemplateError naming the template file and line."""
    return "".join(render_parts(env, page))


def render_parts(env: jinja2.Environment, page: Page) -> Iterator[str]:
    """Render one page as parts of its text: a data file part by part as it is made, a template page whole.

    A data file (a page without a template) has its text, or an iterator of
    its parts, in ``context["body"]``; so a file of a million entities is
    never held whole.
    """
    if not page.template:
        body = page.context["body"]
        yield from [body] if isinstance(body, str) else body
        return
    html = _render_template(env, page)
    yield minified(html) if isinstance(env, SiteEnvironment) and env.minify and page.path.endswith(".html") else html


def minified(html: str) -> str:
    """Return an HTML page without what browsers do not need: the spaces between elements, the
    quotes of plain attribute values, optional tags and comments.

    Style elements and scripts are left as written. Minifying CSS would
    turn the escapes that keep a tooltip's text inside its style element
    (``\\3c /style\\3e``) back into the characters they stand for.
    """
    import minify_html  # only when [pages] minify is on

    return str(minify_html.minify(html, minify_css=False, minify_js=False))


def _render_template(env: jinja2.Environment, page: Page) -> str:
    """Render a page from its template; raise TemplateError naming the template file and line."""
    try:
        return env.get_template(page.template).render(page.context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name} (needed for {page.path})") from None
    except Exception as exc:
        if raised_by_sitegen(exc):
            raise  # a bug in sitegen's own code, called from the template: shown as one, not as a template error
        where = _template_frame(exc)
        raise TemplateError(f"{where}error while rendering {page.path}: {exc}") from None


def raised_by_sitegen(exc: BaseException) -> bool:
    """Return True when the innermost frame of an exception that is a template's or sitegen's is sitegen's."""
    tb, last = exc.__traceback__, ""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__jinja_template__") is not None or frame.f_code.co_filename.endswith(".html"):
            last = "template"
        elif Path(frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE):
            last = "sitegen" if not frame.f_code.co_filename.endswith("templates.py") else last
        tb = tb.tb_next
    return last == "sitegen"


def _template_frame(exc: BaseException) -> str:
    """Return ``file:line: `` of the innermost template frame of an exception."""
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            where = f"{template.filename}:{template.get_corresponding_lineno(tb.tb_lineno)}: "
        elif code.co_filename.endswith(".html"):
            where = f"{code.co_filename}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return where
