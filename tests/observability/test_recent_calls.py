"""The operator's page's window of recent contract calls."""

from __future__ import annotations

from extraction.observability.recent_calls import CallKey, RecentCalls

PAY = CallKey("PaymentsService", "refund_order_payment", "http", "payments")
USER = CallKey("UsersService", "get_user", "direct", "users")


def test_rates_errors_and_latencies_per_contract_method_and_transport():
    calls = RecentCalls(window_seconds=60)
    for seconds in (0.010, 0.020, 0.030, 0.040):
        calls.record(PAY, "ok", seconds)
    calls.record(PAY, "unavailable", 0.001)  # the breaker refused it
    calls.record(PAY, "contract_error", 0.005)  # the contract's answer, not a failure
    calls.record(USER, "ok", 0.002)
    pay, user = calls.summaries()
    assert (pay.key, user.key) == (PAY, USER)
    assert (pay.calls, pay.errors, pay.contract_errors) == (6, 1, 1)
    assert pay.error_rate == 1 / 6
    assert pay.per_minute == 6.0
    assert pay.p50_ms == 15.0
    assert pay.p95_ms == 40.0


def test_calls_older_than_the_window_are_forgotten():
    calls = RecentCalls(window_seconds=0)
    calls.record(USER, "ok", 0.001)
    assert calls.summaries() == []
