"""Error codes of the orders app (the contract's own errors live in contracts.orders).

Each is a ``ContractError`` with a stable code; the shared API exception handler
turns it into ``{"code", "message", "details"}`` with its HTTP status: 400 for a
request the OpenAPI schema refuses already, 422 for one the schema allows but a
rule of the shop refuses (an unknown SKU, say), so a schema-valid request is never
a 400.
"""

from __future__ import annotations

from contracts.errors import Conflict, ContractError, NotFound


class IllegalTransition(Conflict):
    code = "orders.illegal_transition"
    default_message = "The order cannot move to that state from its current state."

    @classmethod
    def between(cls, *, order_id: object, from_status: str, to_status: str) -> IllegalTransition:
        return cls(
            f"An order that is {from_status} cannot become {to_status}.",
            details={"order_id": str(order_id), "from": from_status, "to": to_status},
        )


class CustomerInactive(ContractError):
    code = "orders.customer_inactive"
    http_status = 403
    default_message = "This account is deactivated and cannot place orders."


class CustomerUnknown(ContractError):
    code = "orders.customer_unknown"
    http_status = 422
    default_message = "No such customer."


class InvalidOrderLines(ContractError):
    code = "orders.invalid_lines"
    http_status = 422
    default_message = "An order needs at least one line, each with a positive quantity."


class ProductUnknown(ContractError):
    code = "orders.product_unknown"
    http_status = 422
    default_message = "The order names a product that does not exist."


class ProductInactive(ContractError):
    code = "orders.product_inactive"
    http_status = 422
    default_message = "The order names a product that is no longer sold."


class MixedCurrencies(ContractError):
    code = "orders.mixed_currencies"
    http_status = 422
    default_message = "All products of one order must be priced in the same currency."


class OutOfStock(Conflict):
    code = "orders.out_of_stock"
    default_message = "Not enough stock for this order."


class ProductNotFound(NotFound):
    code = "orders.product_not_found"
    default_message = "No such product."


class PriceNotPositive(ContractError):
    code = "orders.price_not_positive"
    http_status = 422
    default_message = (
        "A product's price must be at least 0.01: an order of a free product could never be paid."
    )


class SkuTaken(Conflict):
    code = "orders.sku_taken"
    default_message = "A product with this SKU exists already."


class StockWouldBeNegative(Conflict):
    code = "orders.stock_negative"
    default_message = "The stock of a product cannot go below zero."


class PaymentMismatch(Conflict):
    code = "orders.payment_mismatch"
    default_message = "The captured amount or currency differs from the order's total."


class RefundInProgress(Conflict):
    code = "orders.refund_in_progress"
    default_message = (
        "A refund of this order has been asked of payments and is not settled yet; the order "
        "cannot be fulfilled meanwhile."
    )
