"""Public REST API of the users app."""
