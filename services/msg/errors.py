"""Why the msg worker refused a job (the key it is dead-lettered with)."""
from __future__ import annotations

from enum import unique

from common.messages import OperatorMsg


@unique
class MsgMsg(OperatorMsg):
    """Refusal keys: each one sends the job to ``<queue>.dead``. For operators, never
    shown to a user, so not among the keys the SPA translates (``common.messages``)."""

    job_invalid = "msg.job_invalid"
    message_id_missing = "msg.message_id_missing"
    unknown_template = "msg.unknown_template"
    context_missing = "msg.context_missing"
    template_error = "msg.template_error"
    recipient_refused = "msg.recipient_refused"
    message_refused = "msg.message_refused"
    #: a non-ASCII address and an SMTP server without SMTPUTF8 (RFC 6531)
    address_unsupported = "msg.address_unsupported"
    sms_refused = "msg.sms_refused"
