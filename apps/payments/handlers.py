"""Events the payments app reacts to.

Each handler runs inside the inbox transaction of its delivery, so it never calls
the gateway itself: it claims the work and queues the gateway step to run after
the commit (see ``refunds.refund_compensation_claim``).
"""

from __future__ import annotations

from apps.payments import services
from contracts import subscribe
from contracts.orders import CaptureRejected


@subscribe(CaptureRejected, service="payments")
def compensate_rejected_capture(event: CaptureRejected) -> None:
    """The order would not take the capture: give the money back (a saga step)."""
    services.payment_compensate(
        payment_id=event.payment_id,
        order_id=event.order_id,
        reason=f"order {event.order_status}: {event.reason}",
    )
