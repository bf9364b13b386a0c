"""signup: create an account by proving an e-mail address, then choosing a password."""
