"""Web views of the automation app."""
