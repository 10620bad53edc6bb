"""Reading sources: bytes to text, the mention grammar, cables and Markdown."""
