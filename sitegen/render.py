"""Pages -> HTML: the Jinja2 environment, theme lookup and template errors."""
from __future__ import annotations

from pathlib import Path

import jinja2

from sitegen.errors import ConfigError, SitegenError
from sitegen.pages import Page

_PACKAGE = Path(__file__).resolve().parent


class TemplateError(SitegenError):
    """A template cannot be loaded or rendered; names the template file and line."""


def find_theme(theme: str, root: Path) -> Path:
    """Return the folder of a theme: a path, a project theme or a bundled one."""
    candidates = []
    if "/" in theme or "\\" in theme or theme.startswith("."):
        candidates.append(root / theme)
    else:
        candidates += [root / "themes" / theme,
                       _PACKAGE / "themes" / theme,          # installed from a wheel
                       _PACKAGE.parent / "themes" / theme]  # running from a checkout
    for folder in candidates:
        if (folder / "templates").is_dir():
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"theme '{theme}' not found (looked in {looked})")


def make_environment(theme_dir: Path, overrides: Path | None) -> jinja2.Environment:
    """Return a Jinja2 environment where project templates override the theme's."""
    folders = [str(overrides)] if overrides is not None and overrides.is_dir() else []
    folders.append(str(theme_dir / "templates"))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_page(env: jinja2.Environment, page: Page) -> str:
    """Render one page; raise TemplateError naming the template file and line."""
    if not page.template:
        return page.context["body"]  # a data file, already complete
    try:
        return env.get_template(page.template).render(page.context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name} (needed for {page.path})") from None
    except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
        where = _template_frame(exc)
        raise TemplateError(f"{where}error while rendering {page.path}: {exc}") from None


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
