"""The live preview: HTTP server, file watcher and rebuilds as sources change."""
