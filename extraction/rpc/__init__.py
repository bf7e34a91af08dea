"""Contracts across processes: binding, the RPC endpoint, remote adapters, signing, breakers.

- ``binding``: which implementation each contract gets in this process (settings).
- ``local``: the in-process adapter (transaction guard, optional codec round trip).
- ``client`` / ``server``: the remote adapter and the internal endpoint.
- ``signing``: HMAC request signatures, key rotation, the replay window.
- ``breakers``: one circuit breaker per remote service.
- ``identity``: the caller's end user, carried in a signed header.
- ``versions``: the shape version of each method, from the committed snapshot.
- ``observers``: signals per call, for metrics, logs and traces.
See docs/rpc.md.
"""
