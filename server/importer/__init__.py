"""Spreadsheet import for curators: templates, reading sheets, checks, mapping to RDF, writing data/."""
