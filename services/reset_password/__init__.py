"""reset_password: set a new password, proven by a code mailed to a verified address."""
