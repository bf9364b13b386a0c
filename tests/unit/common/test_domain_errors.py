"""common.errors answers every common.domain error once (DOMAIN_ANSWERS): the status,
the message key and the details the API promised — no Flask request needed."""
from __future__ import annotations

import inspect

import pytest

from common import domain
from common.errors import DOMAIN_ANSWERS, domain_answer
from common.passwords import PasswordMsg

DOMAIN_ERRORS = [cls for _, cls in inspect.getmembers(domain, inspect.isclass)
                 if issubclass(cls, domain.DomainError) and cls is not domain.DomainError]


def test_every_domain_error_has_an_answer():
    assert DOMAIN_ERRORS  # the module was read
    assert sorted(cls.__name__ for cls in DOMAIN_ERRORS) == sorted(cls.__name__ for cls in DOMAIN_ANSWERS)


@pytest.mark.parametrize("error,status,message", [
    (domain.UserNotFound(), 401, "authn.required"),  # the session outlived its account
    (domain.VersionConflict(), 409, "request.conflict"),
    (domain.SyncRefused("emails.in_use"), 409, "emails.in_use"),  # the AM's reason
    (domain.SyncRefused(None), 409, "request.conflict"),
    (domain.CodeExpired("emails.code_expired"), 400, "emails.code_expired"),
    (domain.NotOnList("phones.not_found"), 404, "phones.not_found"),
    (domain.AlreadyOnList("phones.duplicate"), 409, "phones.duplicate"),
    (domain.ListFull("emails.too_many"), 400, "emails.too_many"),
    (domain.NotVerified("emails.not_verified"), 400, "emails.not_verified"),
    (domain.AlreadyVerified("emails.already_verified"), 400, "emails.already_verified"),
    (domain.PrimaryNotRemovable("emails.cannot_remove_primary"), 400, "emails.cannot_remove_primary"),
])
def test_status_and_key(error, status, message):
    answer = domain_answer(error)
    assert (answer.status, answer.message, answer.errors, answer.extra, answer.headers) == (
        status, message, None, None, {})


def test_a_field_error_names_the_field_with_the_key():
    answer = domain_answer(domain.NotOnList("emails.not_found", field="email"))
    assert answer.errors == {"email": ["emails.not_found"]}


def test_a_wrong_code_says_how_many_tries_are_left():
    answer = domain_answer(domain.CodeInvalid("signup.code_invalid", field="code", details={"attempts_left": 2}))
    assert (answer.status, answer.message) == (400, "signup.code_invalid")
    assert answer.errors == {"code": ["signup.code_invalid"]} and answer.extra == {"attempts_left": 2}


@pytest.mark.parametrize("error_class", [domain.CodeLocked, domain.CodeThrottled])
def test_a_429_carries_retry_after(error_class):
    answer = domain_answer(error_class("emails.code_locked", retry_after=17))
    assert answer.status == 429 and answer.headers == {"Retry-After": "17"}


def test_a_weak_password_lists_the_policys_reasons():
    answer = domain_answer(domain.WeakPassword("security.weak_password", field="password",
                                               reasons=[PasswordMsg.too_short]))
    assert (answer.status, answer.message) == (400, "security.weak_password")
    assert answer.errors == {"password": ["password.too_short"]}


def test_an_error_without_an_answer_is_a_defect_not_a_silent_500():
    class Unmapped(domain.DomainError):
        pass

    with pytest.raises(KeyError, match="Unmapped"):
        domain_answer(Unmapped())
