"""Building and updating a site on disk: the pipeline, output folder, manifest and cache."""
