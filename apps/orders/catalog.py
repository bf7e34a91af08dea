"""Writes of the orders app's catalog: creating, updating, deactivating and restocking products.

Each change locks the product's row; a product that was ever ordered is
deactivated, never deleted (order lines keep pointing at it).
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.orders.error_codes import (
    PriceNotPositive,
    ProductNotFound,
    SkuTaken,
    StockWouldBeNegative,
)
from apps.orders.models import Product


@transaction.atomic
def product_create(
    *,
    sku: str,
    name: str,
    price: Decimal,
    currency: str = "EUR",
    stock: int = 0,
    active: bool = True,
) -> Product:
    _ensure_price_positive(price)
    if Product.objects.filter(sku=sku).exists():
        raise SkuTaken(details={"sku": sku})
    try:
        with transaction.atomic():
            return Product.objects.create(
                sku=sku, name=name, price=price, currency=currency, stock=stock, active=active
            )
    except IntegrityError:
        # Lost a race with another create of the same sku; any other violation
        # is a bug of the caller and stays an error.
        if Product.objects.filter(sku=sku).exists():
            raise SkuTaken(details={"sku": sku}) from None
        raise


def _ensure_price_positive(price: object) -> None:
    # The model's validator runs in forms and serializers only: a service is the
    # check every caller passes (the database's constraint is the backstop).
    if Decimal(str(price)) <= 0:
        raise PriceNotPositive(details={"price": str(price)})


def _lock_product(product_id: UUID) -> Product:
    product = Product.objects.select_for_update().filter(id=product_id).first()
    if product is None:
        raise ProductNotFound(details={"product_id": str(product_id)})
    return product


UPDATABLE_PRODUCT_FIELDS = ("name", "price", "currency", "active")


@transaction.atomic
def product_update(*, product_id: UUID, **changes: object) -> Product:
    """Change the name, price, currency or active flag (the SKU and stock have their own ways).

    A new price applies to orders placed from now on; placed orders keep theirs.
    """
    unknown = sorted(set(changes) - set(UPDATABLE_PRODUCT_FIELDS))
    if unknown:
        raise TypeError(f"product_update cannot change {', '.join(unknown)}")
    if "price" in changes:
        _ensure_price_positive(changes["price"])
    product = _lock_product(product_id)
    for field, value in changes.items():
        setattr(product, field, value)
    product.save(update_fields=[*changes, "updated_at"])
    return product


@transaction.atomic
def product_deactivate(*, product_id: UUID) -> Product:
    """Stop selling a product; placed orders keep it."""
    return product_update(product_id=product_id, active=False)


@transaction.atomic
def product_restock(*, product_id: UUID, quantity: int) -> Product:
    """Add ``quantity`` (negative: write off) to the stock, under the product's row lock.

    A delta, never an absolute value: orders placed meanwhile keep their reservation.
    """
    product = _lock_product(product_id)
    if product.stock + quantity < 0:
        raise StockWouldBeNegative(
            details={"sku": product.sku, "stock": product.stock, "quantity": quantity}
        )
    product.stock += quantity
    product.save(update_fields=["stock", "updated_at"])
    return product
