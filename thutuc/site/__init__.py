"""The website: pages, search index, service worker, redirects."""
