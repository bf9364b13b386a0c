"""phones: a user's phone numbers — add, verify by an SMS code, choose the primary, remove."""
