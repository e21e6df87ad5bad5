"""Forms of the documents app (one module per part)."""
