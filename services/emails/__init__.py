"""emails: a user's e-mail addresses — add, verify by a mailed code, choose the primary, remove."""
