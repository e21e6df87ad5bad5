"""API routes: pipelines, reasons for losing, deals."""

from rapport.sales.api.deals import DealViewSet, LostReasonViewSet, PipelineViewSet

ROUTES: list = [
    ("pipelines", PipelineViewSet, "pipeline"),
    ("lost-reasons", LostReasonViewSet, "lost-reason"),
    ("deals", DealViewSet, "deal"),
]
PATHS: list = []
