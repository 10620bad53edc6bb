"""The corpus: the entity index, the document store and entity snippets."""
