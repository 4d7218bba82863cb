"""The build engine: steps, staging and all-or-nothing writes."""
