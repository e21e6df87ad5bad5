"""Selectors of the activities app, one module per part."""
