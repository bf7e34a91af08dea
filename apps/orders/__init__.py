"""Orders: the product catalog, orders and their lines, the order state machine."""
