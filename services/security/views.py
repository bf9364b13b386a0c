"""security's routes: credentials, sessions, security activity, data export, password
change, account termination."""
from __future__ import annotations

import logging

from flask import Blueprint, g

from common import events, known_devices
from common import session as sessions
from common.api import applied_or_pending, marshal, unmarshal
from common.authn import login_required, recent_authn_required
from common.errors import ApiError
from common.events import EventType
from common.schemas import CsrfTokenResponse, EmptyRequest
from common.messaging import mail_user
from common.throttle import configured, limiter
from common.users import new_password_credentials, request_delete, require_user, update_user
from services.security.helpers import SecurityMsg, credentials_payload, one_at_a_time
from services.security import activity, devices, export, mfa
from services.security.schemas import (ChangePasswordRequest, CredentialsResponse, DevicesResponse, EventsQuery,
                                       EventsResponse, ExportResponse, ForgetDeviceRequest, RecoveryCodesResponse, RemoveCredentialRequest,
                                       RevokeSessionRequest, SessionsResponse, TotpBeginResponse,
                                       TotpCompleteRequest, WebauthnRegisterBeginRequest,
                                       WebauthnRegisterBeginResponse, WebauthnRegisterCompleteRequest)

bp = Blueprint("security", __name__)
logger = logging.getLogger(__name__)


@bp.get("/credentials")
@unmarshal(EmptyRequest)
@marshal(CredentialsResponse)
@login_required
def get_credentials() -> dict:
    """The logged-in user's credentials (never a hash or secret) and how many recovery
    codes are left."""
    return credentials_payload(require_user(g.user_id).get("credentials", []))


@bp.post("/totp/begin")
@unmarshal(EmptyRequest)
@marshal(TotpBeginResponse)
@recent_authn_required
def totp_begin() -> dict:
    """A new TOTP secret for this session's enrolment (nothing stored as a credential
    yet); 409 ``security.totp_exists`` when the account has one."""
    return mfa.begin_totp(require_user(g.user_id))


@bp.post("/totp/complete")
@unmarshal(TotpCompleteRequest)
@marshal(CredentialsResponse)
@recent_authn_required
def totp_complete(code: str):
    """Store the TOTP credential once ``code`` matches the enrolment's secret: 400
    ``security.totp_code_invalid`` / ``security.totp_not_begun``, 409
    ``security.totp_exists`` / ``security.in_progress``."""
    applied, credentials = mfa.complete_totp(code)
    return applied_or_pending(applied, credentials_payload(credentials))


@bp.post("/webauthn/register/begin")
@unmarshal(WebauthnRegisterBeginRequest)
@marshal(WebauthnRegisterBeginResponse)
@recent_authn_required
def webauthn_register_begin(passkey: bool) -> dict:
    """Options to register a security key or (``passkey``) a passkey; a new single-use
    challenge in this session."""
    return mfa.register_begin(require_user(g.user_id), passkey)


@bp.post("/webauthn/register/complete")
@unmarshal(WebauthnRegisterCompleteRequest)
@marshal(CredentialsResponse)
@recent_authn_required
def webauthn_register_complete(credential: dict, name: str):
    """Store the security key or passkey once its registration verifies: 400
    ``security.webauthn_invalid``, 409 ``security.webauthn_exists`` / ``security.in_progress``."""
    applied, credentials = mfa.register_complete(credential, name)
    return applied_or_pending(applied, credentials_payload(credentials))


@bp.post("/credentials/remove")
@unmarshal(RemoveCredentialRequest)
@marshal(CredentialsResponse)
@recent_authn_required
def remove_credential(credential_id: str):
    """Remove a second factor (never the password; the recovery codes go with the last
    one): 404 ``security.credential_not_found``, 409 ``security.in_progress``."""
    applied, credentials = mfa.remove_factor(credential_id)
    return applied_or_pending(applied, credentials_payload(credentials))


@bp.post("/recovery-codes")
@unmarshal(EmptyRequest)
@marshal(RecoveryCodesResponse)
@recent_authn_required
def recovery_codes():
    """10 new recovery codes, shown this once; earlier codes stop working. 400
    ``security.no_second_factor`` without a second factor, 409 ``security.in_progress``."""
    applied, codes, credentials = mfa.new_recovery_codes()
    return applied_or_pending(applied, {**credentials_payload(credentials), "codes": codes})


@bp.get("/sessions")
@unmarshal(EmptyRequest)
@marshal(SessionsResponse)
@login_required
def get_sessions() -> dict:
    """The user's live sessions: this one first, each with a public id, when it logged in
    and was last seen, from where, with which browser, and how (``amr``)."""
    return devices.listing(g.user_id)


@bp.post("/sessions/revoke")
@unmarshal(RevokeSessionRequest)
@marshal(SessionsResponse)
@login_required
def revoke_session(id: str) -> dict:  # noqa: A002 (the contract's field name)
    """End one of the user's sessions (its next request is not logged in): 404
    ``security.session_not_found`` for an id that is none of them."""
    return devices.revoke(g.user_id, id)


@bp.post("/sessions/revoke-others")
@unmarshal(EmptyRequest)
@marshal(SessionsResponse)
@login_required
def revoke_other_sessions() -> dict:
    """End every session of the user but this one."""
    return devices.revoke_others(g.user_id)


@bp.get("/devices")
@unmarshal(EmptyRequest)
@marshal(DevicesResponse)
@login_required
def get_devices() -> dict:
    """The browsers known for the account (a login from any other one is alerted by mail),
    most recently seen first, this one marked ``current``."""
    return {"devices": known_devices.listing(g.user_id)}


@bp.post("/devices/forget")
@unmarshal(ForgetDeviceRequest)
@marshal(DevicesResponse)
@login_required
def forget_device(id: str) -> dict:  # noqa: A002 (the contract's field name)
    """Forget a known browser: its next login alerts again. 404
    ``security.device_not_found`` for an id that is none of the account's."""
    if not known_devices.forget(g.user_id, id):
        raise ApiError(SecurityMsg.device_not_found, 404)
    logger.info("known device %s of %s forgotten", id, g.user_id)
    events.record(EventType.device_forgotten, g.user_id, {"device": id})
    return {"devices": known_devices.listing(g.user_id)}


@bp.get("/events")
@unmarshal(EventsQuery, location="query")
@marshal(EventsResponse)
@login_required
def get_events(before: str | None) -> dict:
    """The user's security events, newest first, a page at a time (``before``: the
    ``next`` cursor of the previous page); 400 ``request.invalid`` for a malformed cursor."""
    return activity.page(g.user_id, before)


@bp.get("/export")
@unmarshal(EmptyRequest)
@marshal(ExportResponse)
@recent_authn_required
def get_export() -> dict:
    """Everything Tessera holds about the user as one document (GDPR Art. 15/20), no
    hashes, secrets or codes; records ``data_exported``."""
    document = export.build(g.user_id)
    events.record(EventType.data_exported, g.user_id)
    return {"export": document}


@bp.post("/change-password")
@unmarshal(ChangePasswordRequest)
@marshal(CredentialsResponse)
@recent_authn_required
@limiter.limit(configured("change_password_limit"))
def change_password(new_password: str):
    """Replace the password; end the user's other sessions and renew this one's id.

    Never twice at once (``one_at_a_time``): parallel requests get 409 ``security.in_progress``.

    OWASP Session Management Cheat Sheet: a password change invalidates the other
    sessions (someone who knew the old password may hold one) and renews the id.
    """
    user = require_user(g.user_id)
    credentials = new_password_credentials(user, new_password, SecurityMsg.weak_password)
    with one_at_a_time(g.user_id):
        applied = update_user(g.user_id, {"credentials": credentials})
        ended = sessions.end_user_sessions(g.user_id, keep_current=True)
        sessions.rotate_session_id()
        mail_user(user, "password_changed")
        events.record(EventType.password_changed, g.user_id, {"sessions_ended": ended})
    logger.info("password of %s changed; %s other sessions ended", g.user_id, ended)
    return applied_or_pending(applied, credentials_payload(credentials))


@bp.post("/terminate")
@unmarshal(EmptyRequest)
@marshal(CsrfTokenResponse)
@recent_authn_required
def terminate():
    """Delete the account everywhere (the AM removes it from the central database and
    purges every service's database), end all its sessions and log this one out."""
    user = require_user(g.user_id)  # read first: afterwards there is no address or name
    with one_at_a_time(g.user_id):
        applied = request_delete(g.user_id)  # an AM refusal raises: no mail claims a deletion
        mail_user(user, "account_terminated")
        ended = sessions.end_user_sessions(g.user_id, keep_current=False)
    logger.info("account %s terminated (%s sessions ended, applied: %s)", g.user_id, ended, applied)
    return applied_or_pending(applied, {"csrf_token": sessions.logout()})
