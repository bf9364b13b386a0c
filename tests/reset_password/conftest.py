"""reset_password's fixtures: ``make_user`` and ``new_user`` from tests/users.py."""
from tests.users import make_user, new_user  # noqa: F401  (re-exported fixtures)
