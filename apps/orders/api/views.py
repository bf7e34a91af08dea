"""Views of the orders API: thin, each parses input, calls one service or selector, renders.

Authorization: the catalog is public to read (anonymous visitors browse active
products) and written by staff holding the product permission. Orders are a
customer's own — another customer's order is answered 404, never 403, so ids
cannot be probed. Staff reach other customers' orders only with the model
permission the action implies (``orders.view_order`` to see them,
``orders.change_order`` to fulfil); cancelling another customer's order may
refund it, so it also needs ``payments.change_payment``. Staff without those
permissions are scoped to their own orders, like any customer.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikit.auth.permissions import (
    customer_scope,
    read_anyone_write_staff_with,
    staff_may,
    staff_with,
)
from apikit.drf.openapi import error_response
from apps.orders import catalog, payment_transitions, selectors, services
from apps.orders.api.filters import OrderFilter, ProductFilter
from apps.orders.api.serializers import (
    OrderCancelSerializer,
    OrderPlaceSerializer,
    OrderSerializer,
    ProductCreateSerializer,
    ProductRestockSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
)
from apps.orders.models import REFUND_REQUESTED, Order, Product
from contracts.orders import OrderStatus

VIEW_ORDERS = "orders.view_order"
CHANGE_ORDERS = "orders.change_order"
VIEW_PRODUCTS = "orders.view_product"
# Cancelling a paid order refunds it: the refund permission of payments, by name
# (a permission string, not an import of the payments app).
REFUND_PAYMENTS = "payments.change_payment"


# The catalog is read by anyone: a token is optional (staff see inactive products).
OPTIONAL_AUTH = [{"jwtAuth": []}, {"cookieAuth": []}, {}]


# --- Catalog -----------------------------------------------------------------------------


class ProductListView(generics.ListAPIView):
    # Anyone, signed in or not, may browse the catalog; staff who may add products create them.
    permission_classes = [read_anyone_write_staff_with("orders.add_product")]
    serializer_class = ProductSerializer
    filterset_class = ProductFilter

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list(include_inactive=staff_may(self.request, VIEW_PRODUCTS))

    @extend_schema(
        operation_id="products_list",
        summary="The catalog (staff also see inactive)",
        auth=OPTIONAL_AUTH,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="products_create",
        summary="Add a product (staff)",
        request=ProductCreateSerializer,
        responses={201: ProductSerializer, 409: error_response("orders.sku_taken")},
    )
    def post(self, request: Request) -> Response:
        data = ProductCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = catalog.product_create(**data.validated_data)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    permission_classes = [read_anyone_write_staff_with("orders.change_product")]

    @extend_schema(
        operation_id="products_retrieve",
        summary="One product",
        auth=OPTIONAL_AUTH,
        responses={200: ProductSerializer, 404: error_response("orders.product_not_found")},
    )
    def get(self, request: Request, product_id: UUID) -> Response:
        product = selectors.product_get(
            product_id=product_id, active_only=not staff_may(request, VIEW_PRODUCTS)
        )
        return Response(ProductSerializer(product).data)

    @extend_schema(
        operation_id="products_partial_update",
        summary="Change name, price, currency or active flag (staff)",
        request=ProductUpdateSerializer,
        responses={200: ProductSerializer, 404: error_response("orders.product_not_found")},
    )
    def patch(self, request: Request, product_id: UUID) -> Response:
        data = ProductUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        product = catalog.product_update(product_id=product_id, **data.validated_data)
        return Response(ProductSerializer(product).data)


class ProductDeactivateView(APIView):
    permission_classes = [staff_with("orders.change_product")]

    @extend_schema(
        operation_id="products_deactivate",
        summary="Stop selling a product (staff)",
        request=None,
        responses={200: ProductSerializer, 404: error_response("orders.product_not_found")},
    )
    def post(self, request: Request, product_id: UUID) -> Response:
        product = catalog.product_deactivate(product_id=product_id)
        return Response(ProductSerializer(product).data)


class ProductRestockView(APIView):
    permission_classes = [staff_with("orders.change_product")]

    @extend_schema(
        operation_id="products_restock",
        summary="Add units to (or write units off) the stock (staff)",
        request=ProductRestockSerializer,
        responses={
            200: ProductSerializer,
            404: error_response("orders.product_not_found"),
            409: error_response("orders.stock_negative"),
        },
    )
    def post(self, request: Request, product_id: UUID) -> Response:
        data = ProductRestockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = catalog.product_restock(
            product_id=product_id, quantity=data.validated_data["quantity"]
        )
        return Response(ProductSerializer(product).data)


# --- Orders ------------------------------------------------------------------------------


class OrderListView(generics.ListAPIView):
    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self) -> QuerySet[Order]:
        return selectors.order_list(customer_id=customer_scope(self.request, VIEW_ORDERS))

    @extend_schema(
        operation_id="orders_list",
        summary="The customer's orders (staff holding orders.view_order: all)",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="orders_create",
        summary="Place an order: reserves the stock, waits for payment",
        request=OrderPlaceSerializer,
        responses={
            201: OrderSerializer,
            400: error_response("invalid: the body breaks the schema"),
            422: error_response(
                "orders.invalid_lines, orders.product_unknown, orders.product_inactive, "
                "orders.mixed_currencies, orders.customer_unknown"
            ),
            403: error_response("orders.customer_inactive"),
            409: error_response("orders.out_of_stock"),
        },
    )
    def post(self, request: Request) -> Response:
        data = OrderPlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_place(
            customer_id=request.user.pk,
            lines=[(line["sku"], line["quantity"]) for line in data.validated_data["lines"]],
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailView(APIView):
    @extend_schema(
        operation_id="orders_retrieve",
        summary="One order with its lines",
        responses={200: OrderSerializer, 404: error_response("orders.order_not_found")},
    )
    def get(self, request: Request, order_id: UUID) -> Response:
        order = selectors.order_get(
            order_id=order_id, customer_id=customer_scope(request, VIEW_ORDERS)
        )
        return Response(OrderSerializer(order).data)


class OrderCancelView(APIView):
    @extend_schema(
        operation_id="orders_cancel",
        summary="Cancel an order; a paid order is refunded",
        description=(
            "A pending order is cancelled and its stock released. A paid order is refunded "
            "through payments; the answer shows it refunded once payments confirmed "
            "(at once in the monolith): 200. When payments runs as its own service, or the "
            "gateway's answer is unknown, the refund may be accepted before it is "
            "confirmed: 202 with the order `refund_requested` (it cannot be fulfilled "
            "meanwhile; cancelling again asks again, never refunding twice). A declined "
            "refund is answered 502 `payments.refund_declined` and the order is `paid` again."
        ),
        request=OrderCancelSerializer,
        responses={
            200: OrderSerializer,
            202: OrderSerializer,
            404: error_response("orders.order_not_found"),
            409: error_response("orders.illegal_transition, payments.nothing_to_refund"),
            502: error_response("payments.refund_declined"),
        },
    )
    def post(self, request: Request, order_id: UUID) -> Response:
        data = OrderCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer_id = customer_scope(request, CHANGE_ORDERS, REFUND_PAYMENTS)
        who = "staff" if customer_id is None else "customer"
        order = payment_transitions.order_request_cancellation(
            order_id=order_id,
            customer_id=customer_id,
            reason=data.validated_data["reason"] or f"cancelled by the {who}",
        )
        # Refund asked of payments, not confirmed yet: payments runs apart, or the
        # gateway's answer was unknown and payments settles it later.
        refund_pending = order.status in (OrderStatus.PAID.value, REFUND_REQUESTED)
        return Response(
            OrderSerializer(order).data,
            status=status.HTTP_202_ACCEPTED if refund_pending else status.HTTP_200_OK,
        )


class OrderFulfilView(APIView):
    permission_classes = [staff_with(CHANGE_ORDERS)]

    @extend_schema(
        operation_id="orders_fulfil",
        summary="Mark a paid order as shipped (staff)",
        request=None,
        responses={
            200: OrderSerializer,
            404: error_response("orders.order_not_found"),
            409: error_response(
                "orders.illegal_transition, or orders.refund_in_progress (a refund of the "
                "order was asked first)"
            ),
        },
    )
    def post(self, request: Request, order_id: UUID) -> Response:
        order = services.order_fulfil(order_id=order_id)
        return Response(OrderSerializer(order).data)
