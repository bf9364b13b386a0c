"""personal_data's fixtures: ``make_user`` (tests/users.py)."""
from tests.users import make_user  # noqa: F401  (re-exported fixture)
