"""URLs of user management and the profile."""

from django.urls import path

from rapport.accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/autocomplete/", views.UserAutocompleteView.as_view(), name="user_autocomplete"),
    path("users/new/", views.UserFormView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserFormView.as_view(), name="user_detail"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/language/", views.SetLanguageView.as_view(), name="set_language"),
    path("profile/tokens/", views.TokenCreateView.as_view(), name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
]
