"""The floor's two views: place an order, read an order. Stateless JWT, like Seams.

The token is verified with PyJWT (what simplejwt uses underneath): signature,
expiry, type and the user id claim, no database read.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import jwt
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from bench.floor.models import Order, OrderLine, OutboxEvent, Product


def _customer(request: HttpRequest) -> uuid.UUID | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        return None
    try:
        claims = jwt.decode(token, settings.JWT_SIGNING_KEY, algorithms=["HS256"])
        if claims.get("token_type") != "access":
            return None
        return uuid.UUID(str(claims["user_id"]))
    except (jwt.InvalidTokenError, KeyError, ValueError):
        return None


def _order_json(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "customer_id": str(order.customer_id),
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "lines": [
            {"sku": line.sku, "unit_price": str(line.unit_price), "quantity": line.quantity}
            for line in lines
        ],
        "created_at": order.created_at.isoformat(),
    }


@require_POST
def place(request: HttpRequest) -> JsonResponse:
    customer = _customer(request)
    if customer is None:
        return JsonResponse({"code": "not_authenticated"}, status=401)
    body = json.loads(request.body)
    sku, quantity = str(body["sku"]), int(body["quantity"])
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(sku=sku).first()
        if product is None:
            return JsonResponse({"code": "unknown"}, status=400)
        if product.stock < quantity:
            return JsonResponse({"code": "out_of_stock"}, status=409)
        product.stock -= quantity
        product.save(update_fields=["stock", "updated_at"])
        order = Order.objects.create(
            customer_id=customer,
            status="pending_payment",
            total=product.price * quantity,
            currency=product.currency,
        )
        line = OrderLine.objects.create(
            order=order,
            product=product,
            sku=product.sku,
            name=product.name,
            unit_price=product.price,
            quantity=quantity,
        )
        OutboxEvent.objects.create(
            event_id=uuid.uuid4(),
            name="orders.OrderPlaced",
            payload={"order_id": str(order.id), "total": str(order.total), "sku": sku},
        )
    return JsonResponse(_order_json(order, [line]), status=201)


@require_GET
def read(request: HttpRequest, order_id: uuid.UUID) -> JsonResponse:
    customer = _customer(request)
    if customer is None:
        return JsonResponse({"code": "not_authenticated"}, status=401)
    order = Order.objects.filter(id=order_id, customer_id=customer).first()
    if order is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse(_order_json(order, []))
