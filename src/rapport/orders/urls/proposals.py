"""Web routes of proposals."""

from django.urls import path

from rapport.orders.views import proposals as views

urlpatterns: list = [
    path("proposals/", views.ProposalListView.as_view(), name="proposal_list"),
    path("proposals/new/", views.ProposalCreateView.as_view(), name="proposal_create"),
    # The same page for one deal (the deal card's "New proposal" button may use either).
    path(
        "deals/<int:pk>/proposals/new/",
        views.ProposalCreateView.as_view(),
        name="proposal_create",
    ),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path(
        "proposals/<int:pk>/lines/", views.ProposalLineAddView.as_view(), name="proposal_line_add"
    ),
    path(
        "proposal-lines/<int:pk>/",
        views.ProposalLineUpdateView.as_view(),
        name="proposal_line_update",
    ),
    path(
        "proposal-lines/<int:pk>/delete/",
        views.ProposalLineDeleteView.as_view(),
        name="proposal_line_delete",
    ),
    path("proposals/<int:pk>/pdf/", views.ProposalPdfView.as_view(), name="proposal_pdf"),
    path("proposals/<int:pk>/send/", views.ProposalSendView.as_view(), name="proposal_send"),
    path("proposals/<int:pk>/accept/", views.ProposalAcceptView.as_view(), name="proposal_accept"),
    path("proposals/<int:pk>/reject/", views.ProposalRejectView.as_view(), name="proposal_reject"),
    path(
        "proposals/<int:pk>/new-version/",
        views.ProposalNewVersionView.as_view(),
        name="proposal_new_version",
    ),
    path(
        "proposals/<int:pk>/discount/",
        views.ProposalDecideDiscountView.as_view(),
        name="proposal_decide_discount",
    ),
]
