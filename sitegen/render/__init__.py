"""Turning pages into HTML: Jinja2 templates and Pygments highlighting."""
