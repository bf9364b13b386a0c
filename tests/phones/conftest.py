"""phones' fixtures: ``make_user`` (tests/users.py), ``signed_in`` and ``mongo`` (tests/contacts.py)."""
from tests.contacts import mongo, signed_in  # noqa: F401  (re-exported fixtures)
from tests.users import make_user  # noqa: F401  (re-exported fixture)
