"""Who is asking: stateless JWT authentication, the revocation denylist, permission classes."""
