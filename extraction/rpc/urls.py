"""The internal routes: mounted under ``internal/`` by the project, never under ``api/``."""

from django.urls import path

from extraction.rpc.server import rpc_view

urlpatterns = [path("rpc/<str:contract>/<str:method>", rpc_view, name="rpc")]
