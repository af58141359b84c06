"""Spreadsheet import for curators: templates, sheets, checks, mapping to RDF, writing data/."""
