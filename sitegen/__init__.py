"""sitegen: a static-site generator for entity-annotated documents."""

from __future__ import annotations

__version__ = "0.1.0"
