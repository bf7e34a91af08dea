"""A product is never free: a price of 0 is refused everywhere a price is set.

An order of a free product could never be paid (the gateway refuses a charge of
0) and held its stock until someone cancelled it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from apps.orders import catalog
from apps.orders.error_codes import PriceNotPositive
from apps.orders.models import Product
from tests.factories.orders import ProductFactory
from tests.factories.users import SuperuserFactory, sign_in_to_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(SuperuserFactory())
    return client


@pytest.mark.parametrize("price", ["0.00", "0", "-1.00"])
def test_the_api_refuses_to_create_a_product_that_is_not_priced_above_zero(staff_api, price):
    response = staff_api.post(
        "/api/v1/products", {"sku": "FREE-1", "name": "Free", "price": price}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "price" in response.json()["details"]
    assert not Product.objects.filter(sku="FREE-1").exists()


def test_the_smallest_price_is_a_cent(staff_api):
    response = staff_api.post(
        "/api/v1/products", {"sku": "CENT-1", "name": "Cheap", "price": "0.01"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_api_refuses_to_change_a_price_to_zero(staff_api):
    product = ProductFactory(price=Decimal("5.00"))
    response = staff_api.patch(f"/api/v1/products/{product.id}", {"price": "0.00"}, format="json")
    assert response.status_code == 400
    product.refresh_from_db()
    assert product.price == Decimal("5.00")


def test_model_validation_refuses_a_zero_price():
    with pytest.raises(ValidationError) as refused:
        Product(sku="FREE-2", name="Free", price=Decimal("0.00")).full_clean()
    assert "price" in refused.value.message_dict


def test_the_admin_refuses_a_zero_price(client):
    sign_in_to_admin(client, SuperuserFactory())
    page = client.post(
        reverse("admin:orders_product_add"),
        {
            "sku": "FREE-3",
            "name": "Free",
            "price": "0.00",
            "currency": "EUR",
            "stock": "5",
            "initial-stock": "5",
            "active": "on",
        },
    )
    assert page.status_code == 200  # the form again, with its error
    assert "greater than or equal to 0.01" in page.content.decode()
    assert not Product.objects.filter(sku="FREE-3").exists()


@pytest.mark.parametrize("price", [Decimal("0.00"), Decimal("-1.00")])
def test_the_create_service_refuses_a_price_not_above_zero(price):
    # given: a caller that skips the serializer and the form (a command, the shell)
    # when
    with pytest.raises(PriceNotPositive) as refused:
        catalog.product_create(sku="FREE-4", name="Free", price=price, stock=5)
    # then
    assert refused.value.code == "orders.price_not_positive"
    assert refused.value.http_status == 422
    assert refused.value.details == {"price": str(price)}
    assert not Product.objects.filter(sku="FREE-4").exists()


def test_the_update_service_refuses_a_price_of_zero():
    # given
    product = ProductFactory(price=Decimal("5.00"))
    # when
    with pytest.raises(PriceNotPositive):
        catalog.product_update(product_id=product.id, price=Decimal("0.00"))
    # then
    product.refresh_from_db()
    assert product.price == Decimal("5.00")


def test_the_database_refuses_a_price_of_zero():
    # given: a writer that skips the services too
    product = ProductFactory(price=Decimal("5.00"))
    # when / then
    with pytest.raises(IntegrityError, match="product_price_gt_0"), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=Decimal("0.00"))
    product.refresh_from_db()
    assert product.price == Decimal("5.00")
