"""Forms of the activities app, one module per part."""
