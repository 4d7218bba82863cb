"""Content: files → typed, validated model (load, validate, model, Markdown, permanence)."""
