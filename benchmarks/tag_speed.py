"""Measure ``sitegen tag``: milliseconds per plain text document, and the build that follows.

    python benchmarks/tag_speed.py                      # the demo's 40 cables, a model trained here
    python benchmarks/tag_speed.py --model en_core_web_sm
    python benchmarks/tag_speed.py --real 500           # the first 500 of ../shared/corpus/cables

The tagged cables are turned back into plain text (their markup taken out),
then ``sitegen tag`` tags them and ``sitegen build`` builds the result; both
are timed. Without ``--model``, a statistical NER pipeline is trained here
first on the same cables' own annotations (spaCy's default ``ner`` component
on a blank English pipeline, the architecture of spaCy's small models,
without their tagger and parser), so the figure needs no download. Needs
spaCy (``pip install 'sitegen[ner]'``).
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.parse.mention import MENTION  # noqa: E402

LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "NORP"}


def plain(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Return a tagged cable as plain text, with its mentions as character spans."""
    text = re.sub(r"</?(?:code|pre)>|<a\b[^>]*>|</a>", "", text)
    out, spans, pos = [], [], 0
    length = 0
    for found in MENTION.finditer(text):
        out.append(text[pos : found.start()])
        length += found.start() - pos
        words = " ".join(found.group("words").split())
        spans.append((length, length + len(words), LABELS[found.group("type").upper()]))
        out.append(words)
        length += len(words)
        pos = found.end()
    out.append(text[pos:])
    return "".join(out), spans


def train(texts: list[tuple[str, list[tuple[int, int, str]]]], folder: Path, epochs: int) -> None:
    """Train a small NER pipeline on the texts' own spans and save it to ``folder``."""
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    examples = []
    for text, spans in texts:  # one example per line: many small updates learn faster than a few long ones
        offset = 0
        for line in text.split("\n"):
            end_of_line = offset + len(line)
            inside = [(a - offset, b - offset, label) for a, b, label in spans if offset <= a and b <= end_of_line]
            if line.strip():
                doc = nlp.make_doc(line)
                ents, last = [], -1
                for start, end, label in inside:
                    span = doc.char_span(start, end, label=label, alignment_mode="contract")
                    if span is not None and span.start >= last:
                        ents.append(span)
                        last = span.end
                entities = [(s.start_char, s.end_char, s.label_) for s in ents]
                examples.append(Example.from_dict(doc, {"entities": entities}))
            offset = end_of_line + 1
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(epochs):
        random.Random(0).shuffle(examples)
        for start in range(0, len(examples), 8):
            nlp.update(examples[start : start + 8], sgd=optimizer, drop=0.2)
    nlp.meta["name"] = "ner_trained_here"
    nlp.meta["version"] = "0.0.0"
    nlp.to_disk(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="spaCy model name or folder (default: train one here)")
    parser.add_argument("--real", type=int, default=0, help="the first N real cables instead of the demo's")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "cables")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs of the model trained here")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="processes tagging at once (default: one per core)")
    args = parser.parse_args()
    if args.real:
        if not args.corpus.is_dir():
            sys.exit(f"no real cables at {args.corpus}")
        files = sorted(args.corpus.glob("*.txt"))[: args.real]
    else:
        files = sorted((ROOT / "content" / "cables").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "texts").mkdir()
        texts = []
        for file in files:
            text, spans = plain(file.read_text(encoding="utf-8", errors="replace"))
            (work / "texts" / file.name).write_text(text, encoding="utf-8")
            texts.append((text, spans))
        model = args.model
        trained = ""
        if model is None:
            started = time.perf_counter()
            train(texts, work / "model", args.epochs)
            model = str(work / "model")
            trained = (
                f" (trained here on their annotations, {args.epochs} epochs, {time.perf_counter() - started:.0f} s)"
            )
        command = [sys.executable, "-m", "sitegen"]
        env_path = {"PYTHONPATH": str(ROOT)}
        import os

        env = {**os.environ, **env_path}
        started = time.perf_counter()
        tagged = subprocess.run(
            [*command, "tag", "texts", "content", "--model", model, "-j", str(args.jobs)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        tag_seconds = time.perf_counter() - started
        if tagged.returncode != 0:
            sys.exit(tagged.stdout + tagged.stderr)
        started = time.perf_counter()
        built = subprocess.run([*command, "build"], cwd=work, env=env, capture_output=True, text=True)
        build_seconds = time.perf_counter() - started
        characters = sum(len(t) for t, _ in texts)
        print(
            f"sitegen tag, {len(files):,} plain text cables ({characters / len(files):,.0f} characters each on average)"
        )
        print(f"  pipeline: {model if args.model else 'a spaCy NER pipeline'}{trained}")
        print(f"  {tagged.stdout.strip().splitlines()[0]}")
        print(
            f"  tag: {tag_seconds:.2f} s in all, {tag_seconds * 1000 / len(files):.0f} ms a document (start-up included)"
        )
        print(
            f"  build: {build_seconds:.2f} s — {built.stdout.strip().splitlines()[-1] if built.stdout.strip() else built.stderr[-300:]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
