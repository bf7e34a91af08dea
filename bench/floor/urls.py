from django.urls import path

from bench.floor import views

urlpatterns = [
    path("place", views.place),
    path("orders/<uuid:order_id>", views.read),
]
