"""Each page kind's rule: which of its pages an edit affects, named kind by kind.

The incremental tests compare whole sites with clean builds; these say, for
one edit at a time, exactly which families each kind asks to render again,
so a wrong dependency fails with the kind's name and the family it missed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.build.context import BuildContext
from sitegen.config import Config
from sitegen.parse.markdown import MarkdownSource
from sitegen.serve.session import PreviewSession
from sitegen.site.change import NeedsRebuild, apply_change
from sitegen.site.kinds import KINDS, Family, Numbers, affected, families, family_pages, family_paths, kind_of
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "content"
QUITO, LIMA, NOTES = "09QUITO160.txt", "09LIMA1669.txt", "notes/field notes #1.txt"
SHINING_PATH = ("ORG", "shining path")


@pytest.fixture
def live(tmp_path: Path) -> PreviewSession:
    return start(tmp_path)


def start(tmp_path: Path, extra: dict[str, str] | None = None, entities_per_page: int = 500) -> PreviewSession:
    """Build the golden content, with ``extra`` documents (name: text), one document to a page of
    each entity's list."""
    content = tmp_path / "content"
    shutil.copytree(GOLDEN, content)
    for name, text in (extra or {}).items():
        (content / name).write_text(text, encoding="utf-8")
    site = PreviewSession(
        BuildContext(
            Config(
                root=ROOT,
                documents_per_page=2,
                entity_documents_per_page=1,
                research_min_documents=2,
                entities_per_page=entities_per_page,
                entities=GOLDEN.parent / "entities.toml",
            ),
            content,
            tmp_path / "site",
        )
    )
    assert not site.build().error
    return site


def edit(live: PreviewSession, source: str, old: str, new: str) -> None:
    path = live.content / source
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def affected_by(live: PreviewSession) -> dict[Family, Numbers]:
    """Take in what changed on disk; return the families each kind says to render again."""
    changed, _ = live.state.changed_sources(live.content)
    documents = {s: d for s, d in changed.items() if not isinstance(d, MarkdownSource) and not s.endswith(".md")}
    markdown = {s: d for s, d in changed.items() if s.endswith(".md")}
    return affected(live.site, apply_change(live.site, documents, markdown))  # type: ignore[arg-type]


def by_kind(found: dict[Family, Numbers]) -> dict[str, dict[Family, Numbers]]:
    out: dict[str, dict[Family, Numbers]] = {}
    for family, pages in found.items():
        out.setdefault(family[0], {})[family] = pages
    return out


def test_a_text_edit_touches_the_document_its_entities_snippets_and_the_feed(live: PreviewSession) -> None:
    edit(live, QUITO, " met ;", " talked ;")
    found = by_kind(affected_by(live))
    assert set(found) == {"doc", "source", "docdata", "entity", "feed"}
    assert found["doc"] == {("doc", QUITO): None}
    assert found["source"] == {("source", QUITO): None}
    assert found["docdata"] == {("docdata", QUITO): None}
    # Only the page of each entity that lists this document, not all of them.
    assert all(pages is not None and len(pages) == 1 for pages in found["entity"].values())
    assert ("entity", ("LOC", "ecuador")) in found["entity"]
    assert ("entity", SHINING_PATH) in found["entity"]


def test_one_more_mention_asks_for_an_entitys_first_page_and_the_page_listing_the_document(
    tmp_path: Path,
) -> None:
    quito = (GOLDEN / QUITO).read_text(encoding="utf-8")
    live = start(tmp_path, {f"09QUITO16{n}.txt": quito.replace("000160", f"00016{n}") for n in range(1, 4)})
    peru, corpus = ("LOC", "peru"), live.site.corpus
    naming = sorted((corpus.occurrence_index(peru, occ.doc), occ.doc) for occ in corpus.entity(peru).occurrences)
    assert len(naming) == 5  # five pages, one document each
    third = naming[2][1]
    edit(live, third, " met ;", " met [LOC Peru  ] ;")
    found = by_kind(affected_by(live))
    # Its mentions and spellings are on the first page; the third lists the document.
    assert found["entity"][("entity", peru)] == {1, 3}


def test_a_new_entity_shows_on_indexes_counts_and_data(live: PreviewSession) -> None:
    edit(live, QUITO, " met ;", " met [PER Nadia Newname  ] ;")
    found = by_kind(affected_by(live))
    new = ("PER", "nadia newname")
    assert found["entity"][("entity", new)] is None
    assert found["home"] == {("home",): {1}}
    assert found["entities"] == {("entities",): None}
    assert found["finder"] == {("finder", "n"): None}  # the parts of Nadia Newname's first letter
    assert found["data"] == {("data",): None}
    assert found["top"] == {("top", "PER"): None}
    assert found["type"] == {("type", "PER"): None}  # a new name moves the A-Z order
    assert set(found["page"]) == {("page", "about.md"), ("page", "guides/reading.md")}
    assert ("entity", SHINING_PATH) in found["entity"]  # its note's page shows counts


def test_a_new_name_renders_its_types_index_from_where_it_goes_on_and_the_first_page(tmp_path: Path) -> None:
    people = "[PER Bea Brown  ] met [PER Carl Cole  ] , [PER Dan Dale  ] and [PER Eve East  ] .\n"
    live = start(tmp_path, {"people.txt": people}, entities_per_page=2)
    names = [live.site.corpus.name(key) for key in live.site.corpus.type_order("PER")]
    assert [name[:3] for name in names] == ["Ala", "Bea", "Car", "Dan", "Eve", "Jos", "P. "]  # four pages
    # Last in the order, under a letter that has its page: the entries of page 4 and the count on page 1.
    edit(live, QUITO, " met ;", " met [PER Pz Newname  ] ;")
    assert by_kind(affected_by(live))["type"] == {("type", "PER"): {1, 4}}


def test_a_new_name_that_moves_where_a_letter_starts_renders_every_page_of_its_types_index(tmp_path: Path) -> None:
    people = "[PER Bea Brown  ] met [PER Carl Cole  ] , [PER Dan Dale  ] and [PER Eve East  ] .\n"
    live = start(tmp_path, {"people.txt": people}, entities_per_page=2)
    # Before Eve East: José moves from page 3 to page 4, and the letters on every page say so.
    edit(live, QUITO, " met ;", " met [PER Ebba Early  ] ;")
    assert by_kind(affected_by(live))["type"] == {("type", "PER"): None}


def test_a_new_title_changes_the_lists_that_show_the_document(live: PreviewSession) -> None:
    edit(live, QUITO, "SUBJECT: ECUADOR AND PERU TALK BORDERS", "SUBJECT: BORDER TALKS")
    found = by_kind(affected_by(live))
    assert found["home"] == {("home",): {live.site.corpus.position(QUITO) // 2 + 1}}
    assert set(found["group"]) == {
        ("group", "tag", "prel"),
        ("group", "tag", "ec"),
        ("group", "origin", "quito"),
        ("group", "classification", "unclassified"),
        ("group", "year", "2009"),
    }
    assert "groups" not in found  # no group gained or lost a document
    neighbours = {("doc", s) for s in live.site.urls.documents} - {("doc", QUITO)}
    assert neighbours & set(found["doc"])
    assert ("feed",) in found["feed"]
    assert found["finder"] == {("finder", "0"): None}  # found by its id, 09QUITO160, with its subject


def test_a_deleted_document_moves_every_list(live: PreviewSession) -> None:
    (live.content / QUITO).unlink()
    found = by_kind(affected_by(live))
    assert found["home"] == {("home",): None}
    assert found["groups"] == {
        ("groups", "tag"): None,
        ("groups", "origin"): None,
        ("groups", "classification"): None,
        ("groups", "year"): None,
    }
    assert found["entity"][("entity", ("LOC", "ecuador"))] is None  # gone with it
    assert found["doc"][("doc", QUITO)] is None
    assert ("finder", "0") in found["finder"] and ("finder", "e") in found["finder"]  # its id; Ecuador's count


@pytest.mark.parametrize(
    ("source", "old", "new", "expected"),
    [
        ("entities/org/shining-path.md", "Maoist", "Marxist", {("entity", SHINING_PATH): {1}}),
        ("index.md", "a few cables", "some cables", {("home",): {1}}),
        ("about.md", "", "More. ", {("page", "about.md"): None}),
    ],
)
def test_a_markdown_edit_touches_only_its_own_page(
    live: PreviewSession, source: str, old: str, new: str, expected: dict
) -> None:
    if old:
        edit(live, source, old, new)
    else:
        path = live.content / source
        path.write_text(path.read_text(encoding="utf-8") + "\n" + new + "\n", encoding="utf-8")
    assert affected_by(live) == expected


def test_a_new_menu_page_needs_a_whole_build(live: PreviewSession) -> None:
    (live.content / "contact.md").write_text("# Contact\n\nWrite to us.\n", encoding="utf-8")
    with pytest.raises(NeedsRebuild):
        affected_by(live)


def test_every_family_has_a_kind_that_renders_exactly_its_paths(live: PreviewSession) -> None:
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    seen = set()
    for family in families(live.site):
        kind = kind_of(family)
        seen.add(kind.name)
        pages = list(family_pages(live.site, family))
        assert [p.path for p in pages] == family_paths(live.site, family), family
        assert all(p.template == kind.template_of(live.site, family) for p in pages), family
    assert seen == set(names) - {"redirect"}  # the golden site has no authority file, so no merged names


def test_who_is_named_with_an_entity_is_counted_again_after_an_edit(live: PreviewSession) -> None:
    """An entity's pages and its documents' filter both show who is named with it: counted once for
    both, and again once an edit can have changed it, whoever it was last counted for."""
    site, peru = live.site, ("LOC", "peru")
    first = site.related(peru)
    assert ("ORG", "shining path") in dict(first) and ("PER", "juan perez") not in dict(first)
    assert site.related(peru) is first  # asked again for the same entity: not counted again
    edit(live, LIMA, "[ORG Shining Path  ] is a threat", "[ORG Shining Path  ] and [PER Juan Perez  ] are a threat")
    changed, _ = live.state.changed_sources(live.content)
    apply_change(site, changed, {})  # type: ignore[arg-type]
    assert dict(site.related(peru))[("PER", "juan perez")] == 1


def test_an_updates_processes_take_the_whole_site_files_first_then_the_costliest_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update's parallel drain (incremental.shared_out): the whole-site files each alone and
    first, then the costliest: an entity's filter data costs as much as its pages, and a family of
    more pages than a run is cut in runs."""
    from sitegen.build import incremental

    monkeypatch.setattr(incremental, "SHARED_PAGES", 1)
    live = start(tmp_path)
    site = live.site
    corpus = site.corpus
    key = max((k for k in corpus.entities if site.has_research_views(k)), key=corpus.doc_total)
    docs = corpus.doc_total(key)
    assert docs >= 2  # one document to a page: that many pages
    source = corpus.documents[0].source
    work = [("doc", source), ("entity", key), ("facets", key), ("data",)]
    tasks, cost = incremental.shared_out(site, work, dict.fromkeys(work), 2)
    assert tasks[:2] == [{("data",): None}, {("facets", key): None}]
    runs = [task[("entity", key)] for task in tasks if ("entity", key) in task]
    assert sorted(n for run in runs for n in run) == list(range(1, docs + 1)) and len(runs) == docs  # type: ignore[union-attr]
    assert {("doc", source): None} in tasks[2:]
    assert cost == docs + docs + 1  # the entity's pages, its filter data and the document (whole-site files apart)
