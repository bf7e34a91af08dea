from django.urls import path

from apps.users.api import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRefreshAccessView.as_view(), name="auth-token-refresh"),
    path("users", views.UserListView.as_view(), name="users-list"),
    path("users/me", views.MeView.as_view(), name="users-me"),
    path("users/me/deactivate", views.MeDeactivateView.as_view(), name="users-me-deactivate"),
    path("users/<uuid:user_id>", views.UserDetailView.as_view(), name="users-detail"),
    path(
        "users/<uuid:user_id>/deactivate",
        views.UserDeactivateView.as_view(),
        name="users-deactivate",
    ),
]
