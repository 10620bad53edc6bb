"""``sitegen tag``: plain text files -> documents tagged by a spaCy pipeline, which ``sitegen build`` reads.

Each ``.txt`` file under the source folder becomes a ``.json`` file at the
same place under the destination (``a/b.txt`` -> ``a/b.json``): its text as
it is, the entities the pipeline found as character spans (``ents``, with
spaCy's labels, mapped to the site's types by ``[types.map]``), and in
``meta`` the tagger and model that found them. A file whose output is newer
is skipped. spaCy is an optional extra (``pip install 'sitegen[ner]'``); the
model is installed as spaCy's models are (``python -m spacy download
en_core_web_sm``) or given as a folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sitegen.build.parallel import fork_map
from sitegen.errors import ConfigError, Diagnostic, SourceError
from sitegen.files import is_ignored
from sitegen.parse.source import decode
from sitegen.report import Progress

DEFAULT_MODEL = "en_core_web_sm"
#: Plain text files a worker tags at a time.
TAG_BATCH = 4
NEEDS_SPACY = "sitegen tag needs spaCy, an optional extra: pip install 'sitegen[ner]'"


@dataclass
class TagResult:
    """What a run of ``sitegen tag`` did."""

    tagger: str = ""
    """The tagger and model, as recorded in each output (``spaCy 3.8.2, en_core_web_sm 3.8.0``)."""
    tagged: int = 0
    """Files tagged."""
    skipped: int = 0
    """Files whose output was newer."""
    entities: int = 0
    """Entities found in the files tagged."""
    characters: int = 0
    """Characters of text tagged."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Files that could not be tagged, and why."""


def load_pipeline(model: str) -> Any:
    """Return the spaCy pipeline of a model name or folder; raises ConfigError saying how to get it."""
    try:
        import spacy
    except ImportError:
        raise ConfigError(NEEDS_SPACY) from None
    try:
        return spacy.load(model)
    except OSError:
        hint = (
            f"install it with: python -m spacy download {model}"
            if "/" not in model and not Path(model).exists()
            else "the folder is not a saved spaCy pipeline"
        )
        raise ConfigError(f"cannot load the spaCy model {model!r}: {hint}") from None


def tagger_name(nlp: Any) -> str:
    """Return the tagger and model of a pipeline, as the output records them."""
    import spacy

    meta = nlp.meta
    return f"spaCy {spacy.__version__}, {meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')} {meta.get('version', '')}".strip()


def plain_files(source: Path) -> list[Path]:
    """Return the plain text files under a folder, sorted, without hidden and editor files."""
    found = []
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d))
        found += [Path(folder) / name for name in files if name.lower().endswith(".txt") and not is_ignored(name)]
    return sorted(found)


def output_of(source: Path, dest: Path, path: Path) -> Path:
    """Return where the tagged document of a plain text file is written."""
    return (dest / path.relative_to(source)).with_suffix(".json")


def tag_folder(
    source: Path,
    dest: Path,
    model: str = DEFAULT_MODEL,
    jobs: int = 1,
    progress: Progress | None = None,
    force: bool = False,
) -> TagResult:
    """Tag every plain text file under ``source`` into ``dest`` (see the module's docstring)."""
    if not source.is_dir():
        raise ConfigError(f"{source}: no such folder")
    progress = progress or Progress(enabled=False)
    nlp = load_pipeline(model)
    result = TagResult(tagger_name(nlp))
    files = plain_files(source)
    todo = []
    for path in files:
        out = output_of(source, dest, path)
        if not force and out.exists() and out.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            result.skipped += 1
        else:
            todo.append(path)
    task = partial(_tag_one, nlp=nlp, tagger=result.tagger, source=source, dest=dest)
    for done, (problem, entities, characters) in enumerate(
        fork_map(task, todo, jobs, what="tagging", batch=TAG_BATCH), 1
    ):
        if problem is not None:
            result.problems.append(problem)
        else:
            result.tagged += 1
            result.entities += entities
            result.characters += characters
        progress.update("tagging", done, len(todo))
    progress.clear()
    return result


def _tag_one(path: Path, nlp: Any, tagger: str, source: Path, dest: Path) -> tuple[Diagnostic | None, int, int]:
    """Tag one file and write its document; return (problem, entities, characters)."""
    relative = path.relative_to(source).as_posix()
    try:
        text = decode(path.read_bytes(), relative)[0]
    except SourceError as exc:
        return exc.diagnostic, 0, 0
    except OSError as exc:
        return Diagnostic(relative, 0, 0, f"cannot read file: {exc.strerror or exc}"), 0, 0
    doc = nlp(text)
    ents = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
    document = {"text": text, "ents": ents, "meta": {"source": relative, "tagger": tagger}}
    out = output_of(source, dest, path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        return Diagnostic(relative, 0, 0, f"cannot write {out}: {exc.strerror or exc}"), 0, 0
    return None, len(ents), len(text)
