"""The only language the apps share: service interfaces, DTOs, errors and events.

Nothing here imports Django, an app, ``extraction`` or ``project``: a contract
must mean the same thing whether its provider runs in this process or in
another service.
"""

from contracts.errors import ContractError
from contracts.events import Event, publish, subscribe
from contracts.services import Service, get

__all__ = ["ContractError", "Event", "Service", "get", "publish", "subscribe"]
