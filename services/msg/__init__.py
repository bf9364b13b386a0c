"""msg: the mail and SMS worker.

It consumes ``msg.mail`` and ``msg.sms`` (jobs queued by ``common.messaging``), renders
the named template in the user's language (en, sv) and sends it — mail over SMTP as
text + HTML, SMS through a provider — at most once per idempotency key as far as a
crash allows (see ``services.msg.ledger``).
"""
