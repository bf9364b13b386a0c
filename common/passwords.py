"""Passwords: argon2id hashing (argon2-cffi) and the password policy (zxcvbn).

Hashing follows the OWASP Password Storage Cheat Sheet: argon2id with at least
m=19 MiB, t=2, p=1 (the cost comes from etcd, ``argon2``). A hash made with other
parameters is re-hashed at the next successful login (``needs_rehash``).

The policy follows NIST SP 800-63B §5.1.1.2: a minimum length (10 by default), a
maximum of at least 64 (128 by default), a check against guessable passwords (a zxcvbn
score of at least 3, with the user's own names and address as known words) and NO
composition rules (no "one digit and one symbol").
"""
from __future__ import annotations

import functools
from enum import unique
from typing import Any, Iterable, Mapping

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from common.messages import TranslatableMsg
from common.metrics import ARGON2_SECONDS


@unique
class PasswordMsg(TranslatableMsg):
    """The policy's reasons (``policy_problems``), listed in a weak password's field errors."""

    too_short = "password.too_short"
    too_long = "password.too_long"
    too_guessable = "password.too_guessable"


#: zxcvbn's matching is super-linear in the length; beyond this many characters a
#: password is already far past any score threshold, so only a prefix is scored.
ZXCVBN_MAX_CHARS = 72


@functools.lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism,
                          hash_len=32, salt_len=16, type=Type.ID)


def hasher(argon2_config: Mapping[str, int]) -> PasswordHasher:
    """The PasswordHasher for the ``argon2`` config dict (time_cost, memory_cost_kib, parallelism)."""
    return _hasher(argon2_config["time_cost"], argon2_config["memory_cost_kib"], argon2_config["parallelism"])


def hash_password(password: str, argon2_config: Mapping[str, int]) -> str:
    """The argon2id hash (PHC string, ``$argon2id$v=19$m=…``) of ``password``."""
    with ARGON2_SECONDS.labels("hash").time():
        return hasher(argon2_config).hash(password)


def verify_password(password_hash: str | None, password: str, argon2_config: Mapping[str, int]) -> bool:
    """Whether ``password`` matches ``password_hash``.

    When there is no hash (unknown account) a dummy hash of the same cost is verified
    anyway, so that an unknown address and a wrong password take comparable time
    (OWASP Authentication Cheat Sheet, "Authentication and Error Messages").
    """
    ph = hasher(argon2_config)
    target = password_hash or _dummy_hash(argon2_config["time_cost"], argon2_config["memory_cost_kib"],
                                          argon2_config["parallelism"])
    try:
        with ARGON2_SECONDS.labels("verify").time():
            ph.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str, argon2_config: Mapping[str, int]) -> bool:
    """Whether ``password_hash`` was made with other parameters than the configured ones."""
    try:
        return hasher(argon2_config).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost_kib, parallelism).hash("tessera dummy password for unknown accounts")


def policy_problems(password: str, policy: Mapping[str, int], user_inputs: Iterable[str] = ()) -> list[str]:
    """The reasons ``password`` breaks the policy, as translation keys (empty list = fine).

    Keys: ``password.too_short``, ``password.too_long``, ``password.too_guessable``.
    ``policy`` is the ``password_policy`` config dict (min_length, max_length, min_score);
    ``user_inputs`` are the user's names and addresses, which make a password weaker.
    """
    problems: list[str] = []
    if len(password) < policy["min_length"]:
        problems.append(PasswordMsg.too_short)
    if len(password) > policy["max_length"]:
        problems.append(PasswordMsg.too_long)
    if not problems and password_score(password, user_inputs) < policy["min_score"]:
        problems.append(PasswordMsg.too_guessable)
    return problems


#: Words every attacker of this platform tries first: its own name ("Tessera2024!" is
#: the site's name and a year). zxcvbn lower-cases user inputs, so one form suffices;
#: the SPA's meter (``usePasswordStrength``) uses the same list.
PLATFORM_WORDS = ("tessera",)


def password_score(password: str, user_inputs: Iterable[str] = ()) -> int:
    """zxcvbn's score (0–4) of ``password`` given the user's own words and the platform's
    (``PLATFORM_WORDS``)."""
    words: list[str] = list(PLATFORM_WORDS)
    for value in user_inputs:
        if value:
            words.extend(part for part in str(value).replace("@", " ").replace(".", " ").split() if part)
    # imported here, not at the top: its frequency lists take ~13 MiB in every process
    # that imports it, and most services import this module only to verify (issue 15)
    from zxcvbn import zxcvbn

    result: Mapping[str, Any] = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=words)
    return int(result["score"])
