"""Identity in every process: the local staff shadow that is ``AUTH_USER_MODEL``.

The users app owns accounts, credentials, staff grants and tokens. Every process
(the monolith included) signs staff in to its admin with the authentication
backend here, which asks ``UsersService.authenticate_staff`` and keeps a local
shadow of the staff member and their permissions. No process changes its user
model when an app moves. See docs/identity.md.
"""
