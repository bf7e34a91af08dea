"""What the RPC endpoint and its callers agree on besides the codec and the signature."""

from __future__ import annotations

# The route of one contract method (mounted by project/urls.py under "internal/").
PATH = "/internal/rpc/{contract}/{method}"
# Set on a contract error's answer, so that a 502/503/504 the provider meant (say,
# RefundDeclined) is never mistaken for a proxy's or a dying server's.
ANSWER_HEADER = "Seams-Answer"
CONTRACT_ERROR_ANSWER = "contract-error"
