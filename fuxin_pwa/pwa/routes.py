"""Service worker, manifest and offline page."""
