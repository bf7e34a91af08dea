"""Public URLs: the admin, the API index, the OpenAPI schema and the apps' APIs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from extraction.gateway.schema import public_schema
from extraction.identity.forms import StaffAuthenticationForm
from extraction.observability.views import healthz, metrics, readyz
from project.views import api_docs, api_index, health

handler400 = "project.views.bad_request"
handler404 = "project.views.not_found"
handler500 = "project.views.server_error"

# The apps' APIs first: their routes are the hot ones, and Django tries the
# patterns in order (no other pattern starts with "api/v1/").
urlpatterns = [
    path("api/v1/", include(f"apps.{service}.api.urls")) for service in settings.SEAMS_SERVICES
]
urlpatterns += [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # Service-to-service calls (signed); a plain Django view, so never in the API schema.
    path("internal/", include("extraction.rpc.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/", api_index, name="api-index"),
    # Generated from the views when every app runs here; otherwise the committed
    # schema, which still documents the forwarded routes of the other services.
    path("api/schema/", public_schema, name="schema"),
    path("api/docs/", api_docs, name="swagger-ui"),
]

admin.site.site_header = "Seams administration"
# Staff sign in through the users contract; the form says so when it is unreachable.
admin.site.login_form = StaffAuthenticationForm
admin.site.site_title = "Seams"
