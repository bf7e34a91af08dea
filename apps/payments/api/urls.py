from django.urls import path

from apps.payments.api.views import PaymentDetailView, PaymentListCreateView, PaymentRefundView

urlpatterns = [
    path("payments", PaymentListCreateView.as_view(), name="payments-list"),
    path("payments/<uuid:payment_id>", PaymentDetailView.as_view(), name="payments-detail"),
    path("payments/<uuid:payment_id>/refund", PaymentRefundView.as_view(), name="payments-refund"),
]
