"""Importers: national database records, CSV and XLSX tables."""
