"""Write synthetic tagged cables for the benchmarks: any number, the same every time.

    python benchmarks/corpus.py N OUTDIR [--seed S]

The running text comes from a word-level Markov chain over the sample cable
in seeds/, so sentences, spacing, paragraph anchors and mentions look like
the real format. Entity names are drawn from a Zipf law over a vocabulary
that grows with N: a few entities are in most cables, most are in one or two,
as in a real archive. The words are nonsense; only speed and scale are
measured on them.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TYPES = ("PER", "LOC", "ORG", "MISC")
_MENTION = re.compile(r"\[(PER|LOC|ORG|MISC) (.+?)\s*\]")
_ANCHOR = re.compile(r"<a id='par\d+' href='#par\d+'>¶</a>\d+ \.")
_TAGS = [
    "PREL",
    "PGOV",
    "PTER",
    "MASS",
    "MOPS",
    "SOCI",
    "ECON",
    "EFIN",
    "ETRD",
    "EINV",
    "ENRG",
    "KDEM",
    "PHUM",
    "SNAR",
    "KCRM",
    "MARR",
    "PINR",
    "KJUS",
]
_COUNTRIES = [
    "PE",
    "CO",
    "VE",
    "BR",
    "BL",
    "EC",
    "CI",
    "AR",
    "MX",
    "CU",
    "US",
    "UK",
    "FR",
    "GM",
    "IT",
    "SP",
    "RS",
    "CH",
    "JA",
    "IR",
    "IZ",
    "AF",
    "PK",
    "IN",
    "EG",
]
_POSTS = [
    "LIMA",
    "BOGOTA",
    "CARACAS",
    "BRASILIA",
    "LAPAZ",
    "QUITO",
    "SANTIAGO",
    "MEXICO",
    "HAVANA",
    "LONDON",
    "PARIS",
    "BERLIN",
    "ROME",
    "MADRID",
]
_CLASSIFICATIONS = ("UNCLASSIFIED", "C O N F I D E N T I A L", "S E C R E T", "LIMITED OFFICIAL USE")
_SYLLABLES = [
    "ba",
    "be",
    "bo",
    "ca",
    "co",
    "da",
    "de",
    "di",
    "do",
    "el",
    "en",
    "fa",
    "ga",
    "go",
    "ja",
    "ka",
    "la",
    "le",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "no",
    "pa",
    "pe",
    "ra",
    "re",
    "sa",
    "so",
    "ta",
    "to",
    "va",
]


def training_sentences() -> tuple[list[list[str]], dict[str, list[str]]]:
    """Return the seed cables' sentences as tokens (mentions as type slots) and their names by type."""
    sentences: list[list[str]] = []
    names: dict[str, list[str]] = {t: [] for t in TYPES}
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("</a>1 .", 1)[-1].replace("</pre></code>", "")
        for line in body.splitlines():
            line = _ANCHOR.sub(" ", line)
            for type_, name in _MENTION.findall(line):
                names[type_].append(name.strip())
            tokens = _MENTION.sub(lambda m: f" \x00{m.group(1)} ", line).split()
            if len(tokens) >= 4:
                sentences.append(tokens)
    if not sentences:
        raise SystemExit(f"no sample cables in {SEEDS}")
    return sentences, names


class Chain:
    """A word-level Markov chain of order one."""

    def __init__(self, sentences: list[list[str]]) -> None:
        """Count which word follows which."""
        self.next: dict[str, list[str]] = {}
        for tokens in sentences:
            for a, b in itertools.pairwise(["\x01", *tokens, "\x02"]):
                self.next.setdefault(a, []).append(b)

    def sentence(self, rng: random.Random, limit: int = 40) -> list[str]:
        """Return one sentence's tokens."""
        out, word = [], "\x01"
        while len(out) < limit:
            word = rng.choice(self.next[word])
            if word == "\x02":
                break
            out.append(word)
        return out


class Names:
    """Entity names per type, drawn from a Zipf law over a vocabulary that grows with the corpus."""

    def __init__(self, rng: random.Random, seed_names: dict[str, list[str]], cables: int) -> None:
        """Make ``cables`` / 2 + 50 names of each type, the seed's own first."""
        self.names: dict[str, list[str]] = {}
        size = cables // 2 + 50
        for type_ in TYPES:
            known = list(dict.fromkeys(seed_names[type_]))
            made = [self._made_up(rng, type_) for _ in range(max(0, size - len(known)))]
            self.names[type_] = known + made
        weights = [1 / (rank + 1) ** 1.1 for rank in range(size)]
        self.cumulative = list(itertools.accumulate(weights))

    @staticmethod
    def _made_up(rng: random.Random, type_: str) -> str:
        word = lambda: "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if type_ == "PER":
            return f"{word()} {word()}"
        if type_ == "ORG":
            return rng.choice(("Ministry of {}", "{} Party", "National {} Front", "Bank of {}")).format(word())
        return word()

    def pick(self, rng: random.Random, type_: str) -> str:
        """Return a name of one type, the popular ones most often."""
        names = self.names[type_]
        index = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return names[min(index, len(names) - 1)]


def cable(number: int, rng: random.Random, chain: Chain, names: Names) -> tuple[str, str]:
    """Return one cable's file name and text."""
    year = 2000 + number % 10
    post = rng.choice(_POSTS)
    reference = f"{year % 100:02d}{post}{number}"
    tags = rng.sample(_TAGS, rng.randint(1, 4)) + rng.sample(_COUNTRIES, 1)
    links = " ".join(f"<a href='/tag/{t}_0.html'>{t}</a>" for t in tags)
    subject = " ".join(w.upper() for w in chain.sentence(rng, 8) if not w.startswith("\x00")) or "REPORT"
    header = (
        f"<code><pre>{rng.choice(_CLASSIFICATIONS)} [LOC {post}  ] {number:06d} SIPDIS E.O. 12958: "
        f"DECL: {year + 10}/01/01 TAGS: {links} SUBJECT: {subject} "
    )
    paragraphs = []
    for par in range(1, rng.randint(3, 9) + 1):
        lines = []
        for _ in range(rng.randint(1, 4)):
            tokens = [
                f"[{t[1:]} {names.pick(rng, t[1:])}  ]" if t.startswith("\x00") else t for t in chain.sentence(rng)
            ]
            lines.append(" ".join(tokens) + " ")
        paragraphs.append(f"<a id='par{par}' href='#par{par}'>¶</a>{par} . \n" + "\n".join(lines))
    return f"{reference}.txt", header + "\n".join(
        paragraphs
    ) + f"\n{names.pick(rng, 'PER').split()[-1].upper()}</pre></code>\n"


def write_corpus(count: int, folder: Path, seed: int = 1) -> list[Path]:
    """Write ``count`` cables into ``folder``; return their paths."""
    rng = random.Random(seed)
    sentences, seed_names = training_sentences()
    chain, names = Chain(sentences), Names(rng, seed_names, count)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(1, count + 1):
        name, text = cable(number, rng, chain, names)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    """Parse the command line and write the corpus."""
    parser = argparse.ArgumentParser(description="Write N synthetic tagged cables into OUTDIR.")
    parser.add_argument("count", type=int, metavar="N")
    parser.add_argument("folder", type=Path, metavar="OUTDIR")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): the same seed, the same cables")
    args = parser.parse_args()
    written = write_corpus(args.count, args.folder, args.seed)
    print(f"wrote {len(written):,} cables into {args.folder}")


if __name__ == "__main__":
    main()
