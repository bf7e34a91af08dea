from django.urls import path

from apps.orders.api import views

urlpatterns = [
    path("products", views.ProductListView.as_view(), name="products-list"),
    path("products/<uuid:product_id>", views.ProductDetailView.as_view(), name="products-detail"),
    path(
        "products/<uuid:product_id>/deactivate",
        views.ProductDeactivateView.as_view(),
        name="products-deactivate",
    ),
    path(
        "products/<uuid:product_id>/restock",
        views.ProductRestockView.as_view(),
        name="products-restock",
    ),
    path("orders", views.OrderListView.as_view(), name="orders-list"),
    path("orders/<uuid:order_id>", views.OrderDetailView.as_view(), name="orders-detail"),
    path("orders/<uuid:order_id>/cancel", views.OrderCancelView.as_view(), name="orders-cancel"),
    path("orders/<uuid:order_id>/fulfil", views.OrderFulfilView.as_view(), name="orders-fulfil"),
]
