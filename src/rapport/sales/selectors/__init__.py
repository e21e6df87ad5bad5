"""Selectors of the sales app, one module per part (leads, deals)."""
