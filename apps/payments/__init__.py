"""Payments: charges with idempotency keys, the gateway, refunds."""
