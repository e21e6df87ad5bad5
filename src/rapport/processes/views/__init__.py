"""Views of the processes app, one module per part: instances, templates, analytics."""
