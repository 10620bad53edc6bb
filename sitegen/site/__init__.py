"""What the site contains: its paths, page kinds, page markup and data files."""
