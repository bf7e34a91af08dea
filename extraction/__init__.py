"""The machinery of seams: outbox, relay and inbox, checks of the boundaries.

Generic over ``contracts``: nothing here imports an app.
"""
