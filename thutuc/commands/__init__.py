"""Commands beyond build and check: serve, new."""
