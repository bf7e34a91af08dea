"""``manage.py restock``: add units of a product to the stock (or write units off)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.orders import catalog, selectors
from contracts.errors import ContractError


class Command(BaseCommand):
    help = (
        "Add --quantity units to the stock of the product --sku, under the product's row "
        "lock (orders placed meanwhile keep their reservation). A negative quantity writes "
        "units off; the stock never goes below zero."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sku", required=True, help="the product's SKU")
        parser.add_argument(
            "--quantity", required=True, type=int, help="units to add (negative: write off)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["quantity"] == 0:
            raise CommandError("--quantity 0 changes nothing")
        try:
            product = selectors.product_get(sku=options["sku"])
            before = product.stock
            product = catalog.product_restock(product_id=product.id, quantity=options["quantity"])
        except ContractError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details}") from exc
        self.stdout.write(self.style.SUCCESS(f"{product.sku}: stock {before} → {product.stock}"))
