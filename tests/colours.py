"""Colour arithmetic for the theme's tests: WCAG contrast, and distances as people with a colour-vision
deficiency see them (Machado, Oliveira and Fernandes 2009, full severity; CIE L*a*b* distance)."""

from __future__ import annotations

import math

#: Linear-RGB matrices simulating each deficiency.
DEFICIENCIES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _linear(colour: str) -> list[float]:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x, y, z = (
        0.4124 * r + 0.3576 * g + 0.1805 * b,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        0.0193 * r + 0.1192 * g + 0.9505 * b,
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x / 0.95047), f(y), f(z / 1.08883)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def seen(colour: str, deficiency: str | None = None) -> tuple[float, float, float]:
    """Return a colour in L*a*b* as seen with a deficiency (None: typical vision)."""
    rgb = _linear(colour)
    if deficiency:
        matrix = DEFICIENCIES[deficiency]
        rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in matrix]
    return _lab(rgb)


def distance(a: str, b: str, deficiency: str | None = None) -> float:
    """Return the CIE76 distance of two colours as seen with a deficiency."""
    return math.dist(seen(a, deficiency), seen(b, deficiency))


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        r, g, b = _linear(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
