"""personal_data: the logged-in user's names and language."""
