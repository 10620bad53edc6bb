"""The default theme shows entity types in colours that everyone can tell apart, and in shape and words too."""

from __future__ import annotations

import itertools
import re

import pytest

from sitegen.config import DEFAULT_TYPES
from tests.colours import DEFICIENCIES, contrast, distance
from tests.conftest import ROOT

CSS = (ROOT / "themes" / "default" / "static" / "style.css").read_text(encoding="utf-8")


def scheme(dark: bool) -> dict[str, str]:
    """Return the colours of one scheme: background, text, link, then each type's."""
    block = CSS[CSS.index("prefers-color-scheme: dark") :] if dark else CSS[CSS.index(":root") :]
    found = {
        name: re.search(rf"--{name}: (#[0-9a-f]{{6}})", block).group(1)
        for name in ("bg", "fg", "link", "soft", "target")
    }
    for type_, settings in DEFAULT_TYPES.items():
        found[type_] = settings.dark_color if dark else settings.color
    return found


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_type_colours_are_legible_and_distinct_for_common_colour_vision_deficiencies(dark: bool) -> None:
    colours = scheme(dark)
    types = [colours[t] for t in DEFAULT_TYPES]
    for colour in types:  # on the page, a highlighted paragraph or line, and a hovered mention
        for background in ("bg", "target", "soft"):
            assert contrast(colour, colours[background]) >= 4.5, (colour, background)
    closest = min(
        distance(a, b, deficiency)
        for deficiency in (None, *DEFICIENCIES)
        for a, b in [
            *itertools.combinations(types, 2),
            *((t, colours["link"]) for t in types),
            *((t, colours["fg"]) for t in types),
        ]
    )
    print(f"{'dark' if dark else 'light'}: closest pair {closest:.1f} (CIE76, Machado 2009 simulations)")
    assert closest >= 15  # docs/themes.md gives the figures
