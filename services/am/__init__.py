"""am: the attribute manager, the only writer of the central user database.

A service writes its private copy of a user, then asks the AM over ``am.sync`` to copy
the attributes it changed — only those its whitelist allows — into
``tessera_central.users``. The AM also keeps the derived, uniquely indexed
``verified_emails`` / ``verified_phones`` and removes terminated accounts.
"""
