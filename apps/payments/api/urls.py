from django.urls import path

from apps.payments.api.views import PaymentDetailView

urlpatterns = [
    path("payments/<uuid:payment_id>", PaymentDetailView.as_view(), name="payments-detail")
]
