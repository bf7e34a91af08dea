"""Views of the orders API: thin, one selector each."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request

from apps.orders.models import Order


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "customer_id", "status", "total", "currency", "created_at", "updated_at"]
        read_only_fields = fields
        ref_name = "Order"


@extend_schema(operation_id="orders_list")
class OrderListView(generics.ListAPIView):
    """The signed-in customer's orders (staff see every order)."""

    serializer_class = OrderSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        orders = Order.objects.all()
        return orders if request.user.is_staff else orders.filter(customer_id=request.user.pk)
