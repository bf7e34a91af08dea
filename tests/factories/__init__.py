"""factory-boy factories, one module per app."""

from tests.factories.orders import OrderFactory
from tests.factories.payments import PaymentFactory
from tests.factories.users import UserFactory

__all__ = ["OrderFactory", "PaymentFactory", "UserFactory"]
