"""security: the logged-in user's credentials, password change and account termination."""
