"""PDFs of documents: a Django template rendered in the document's language, then WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict, *, language: str) -> bytes:
    """Render ``template_name`` in ``language`` (dates, numbers and labels too) to PDF bytes.

    Fonts come from the system (DejaVu covers Latin and Cyrillic); nothing is fetched from the
    network: the template must use inline CSS and no remote images."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf()
