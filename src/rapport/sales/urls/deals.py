"""Web routes of the sales app: pipelines (administration), deals and the board."""

from django.urls import path

from rapport.sales.views import board, deal_exports, deals, pipelines

urlpatterns = [
    path("deals/", deals.DealListView.as_view(), name="deal_list"),
    path("deals/new/", deals.DealFormView.as_view(), name="deal_create"),
    path("deals/export/", deal_exports.DealExportView.as_view(), name="deal_export"),
    path(
        "deals/export/<int:pk>/",
        deal_exports.DealExportJobView.as_view(),
        name="deal_export_job",
    ),
    path("deals/<int:pk>/", deals.DealDetailView.as_view(), name="deal_detail"),
    path("deals/<int:pk>/edit/", deals.DealFormView.as_view(), name="deal_update"),
    path("deals/<int:pk>/delete/", deals.DealDeleteView.as_view(), name="deal_delete"),
    path("deals/<int:pk>/move/", board.DealMoveView.as_view(), name="deal_move"),
    path("deals/<int:pk>/parts/add/", deals.DealPartAddView.as_view(), name="deal_part_add"),
    path(
        "deals/<int:pk>/parts/remove/", deals.DealPartRemoveView.as_view(), name="deal_part_remove"
    ),
    path("deals/board/", board.BoardRedirectView.as_view(), name="board_default"),
    path("deals/board/<int:pk>/", board.BoardView.as_view(), name="board"),
    path("deals/board/stages/<int:pk>/", board.BoardColumnView.as_view(), name="board_column"),
    path("settings/pipelines/", pipelines.PipelineListView.as_view(), name="pipeline_list"),
    path(
        "settings/pipelines/<int:pk>/",
        pipelines.PipelineUpdateView.as_view(),
        name="pipeline_update",
    ),
    path(
        "settings/pipelines/<int:pk>/reorder/",
        pipelines.StageReorderView.as_view(),
        name="stage_reorder",
    ),
    path("settings/stages/<int:pk>/", pipelines.StageUpdateView.as_view(), name="stage_update"),
    path("settings/lost-reasons/", pipelines.LostReasonsView.as_view(), name="lost_reason_list"),
    path(
        "settings/lost-reasons/<int:pk>/",
        pipelines.LostReasonsView.as_view(),
        name="lost_reason_update",
    ),
]
