"""Pages of the web interface that belong to no single domain app."""
