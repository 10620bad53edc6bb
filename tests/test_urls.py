"""Slugs and URLs: safe on every file system, distinct for distinct keys, relative."""

from __future__ import annotations

import re

from sitegen.site.urls import Urls, document_paths, relative_url, slugify

SAFE = re.compile(r"^[a-z0-9_-]{1,80}$")


def test_simple_names_keep_readable_slugs() -> None:
    assert slugify("Peru") == "peru"
    assert slugify("Alan Garcia") == "alan-garcia"
    assert slugify("2009") == "2009"


def test_colliding_names_get_distinct_safe_slugs() -> None:
    names = [
        "U.S.",
        "US",
        "U S",
        "U.S",
        "u-s",
        "AC/DC",
        "C/NF",
        "../../x",
        "/",
        ".",
        "..",
        "CON",
        "aux",
        "nul",
        "José",
        "Jose\u0301x",
        "שלום",
        "😀",
        "a\u200bb",
        "x" * 5000,
        "",
    ]
    slugs = [slugify(n) for n in names]
    assert len(set(slugs)) == len(names)
    assert all(SAFE.match(s) for s in slugs), slugs
    assert slugify("CON") != "con" and slugify("nul") != "nul"


def test_documents_with_case_variant_names_get_distinct_paths() -> None:
    paths = document_paths(["A.txt", "a.txt", "sub/09LIMA1669.txt", "odd name #?%.txt"])
    assert len(set(paths.values())) == 4
    assert paths["sub/09LIMA1669.txt"] == "doc/sub/09lima1669.html"
    assert all(p.startswith("doc/") and ".." not in p for p in paths.values())


def test_links_are_relative_and_encoded() -> None:
    assert relative_url("index.html", "doc/a.html") == "doc/a.html"
    assert relative_url("entity/per/x.html", "doc/sub/a.html", "par3") == "../../doc/sub/a.html#par3"
    assert relative_url("index.html", "doc/a b.html") == "doc/a%20b.html"
    urls = Urls({})
    assert urls.entity(("PER", "alan garcia"), 2) == "entity/per/alan-garcia.2.html"
    assert urls.group("tag", "prel") == "tag/prel.html"
