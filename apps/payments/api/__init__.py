"""Public REST API of the payments app."""
