"""Filtersets of the documents app (one module per part)."""
