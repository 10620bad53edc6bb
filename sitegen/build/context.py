"""BuildContext: what every build, update in place and preview rebuild runs with."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import Environment

from sitegen.build.output import check_output
from sitegen.config import Config, load_config
from sitegen.errors import ConfigError
from sitegen.files import is_ignored
from sitegen.index.resolve import NameRules, Resolver
from sitegen.parse.authority import load_authority, merge_notes
from sitegen.parse.markdown import MarkdownSource, markdown_kind, read_markdown
from sitegen.render.templates import find_theme, make_environment
from sitegen.report import Reporter, display_path


@dataclass(frozen=True)
class BuildContext:
    """The configuration, the folders, the processes to use and where messages go."""

    config: Config
    """The site's configuration."""
    content: Path
    """The folder of sources."""
    output: Path
    """The folder the site is written to."""
    jobs: int = 1
    """Processes that work at once (1: no worker processes)."""
    reporter: Reporter = field(default_factory=Reporter)
    """Where warnings and progress go (silent by default)."""
    force: bool = False
    """Ignore the last build's manifest and cache: build everything from scratch."""
    config_path: Path | None = None
    """The configuration file it was read from, if any (the preview reads it again when it changes)."""
    config_required: bool = False
    """True when the configuration file was named and so must exist."""

    @classmethod
    def load(
        cls,
        config_path: Path | None,
        content: Path | None = None,
        output: Path | None = None,
        *,
        required: bool = False,
        jobs: int = 1,
        reporter: Reporter | None = None,
        force: bool = False,
    ) -> BuildContext:
        """Read the configuration file (it must exist when ``required``); folders not given come from it."""
        config = load_config(config_path, required=required)
        return cls(
            config,
            content if content is not None else config.root / config.content,
            output if output is not None else config.root / config.output,
            jobs,
            reporter or Reporter(),
            force,
            config_path,
            required,
        )

    def reload(self) -> BuildContext:
        """Return the context with the configuration read again from its file."""
        if self.config_path is None:
            return self
        return replace(self, config=load_config(self.config_path, required=self.config_required))

    @property
    def theme(self) -> Path:
        """Return the theme's folder; raise ConfigError when it does not exist."""
        return find_theme(self.config.theme, self.config.root)

    @property
    def templates(self) -> Path:
        """Return the project's folder of templates that override the theme's."""
        return self.config.root / self.config.templates

    def environment(self) -> Environment:
        """Return the Jinja2 environment of the theme and the project's templates, as they are now."""
        return make_environment(self.theme, self.templates, minify=self.config.minify)

    @property
    def authority_file(self) -> Path:
        """Return the path of the authority file (which may not exist)."""
        return self.config.root / self.config.entities

    def resolver(self) -> Resolver:
        """Return the resolver of this site's mentions: its authority file and name rules.

        Raise ConfigError when the authority file has a mistake.
        """
        config = self.config
        rules = NameRules(config.clean_possessive, config.clean_punctuation, config.clean_article, config.short_forms)
        authority = merge_notes(load_authority(self.authority_file), self.notes(), display_path(self.content))
        return Resolver(authority, rules)

    def notes(self) -> list[MarkdownSource]:
        """Return the editors' notes on entities (``entities/TYPE/NAME.md``) that can be read."""
        folder = self.content / "entities"
        notes = []
        for path in sorted(folder.glob("*/*.md")) if folder.is_dir() else ():
            relative = path.relative_to(self.content).as_posix()
            if markdown_kind(relative)[0] != "note" or is_ignored(path.name):
                continue
            try:
                page, _ = read_markdown(relative, path.read_bytes())
            except OSError:
                continue  # the build reports it
            if page is not None:
                notes.append(page)
        return notes

    def check(self) -> None:
        """Raise ConfigError unless the content folder exists and the output folder may be written."""
        if not self.content.is_dir():
            raise ConfigError(f"content folder {self.content} does not exist; pass --content DIR")
        check_output(self.output, self.content)


def default_jobs() -> int:
    """Return how many processes work at once by default: one per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
