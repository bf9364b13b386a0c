"""Rendering jobs with Jinja2: one directory of templates per language.

``templates/<lang>/<name>.txt`` is the plain-text part of mail ``name`` and sets its
subject with ``{% set subject = "..." %}``; ``<name>.html`` is the HTML part (autoescaped,
extending ``<lang>/base.html``, given ``subject`` too); ``<name>.sms.txt`` is an SMS.
A job in a language that is not configured, or has no such template, falls back to
the default language.

``MAIL_TEMPLATES`` and ``SMS_TEMPLATES`` are the contract with the senders: the
context keys each template needs. A missing key is refused before rendering, and
``StrictUndefined`` refuses anything the table forgot.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound, select_autoescape

from common.consumer import PermanentError
from services.msg.errors import MsgMsg

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: mail template → the context keys it needs
MAIL_TEMPLATES: dict[str, tuple[str, ...]] = {
    "signup_code": ("code", "given_name", "ttl_minutes"),
    "signup_already_registered": ("given_name", "reset_url"),
    "welcome": ("given_name", "login_url"),
    "email_code": ("code", "ttl_minutes"),
    "email_primary_changed": ("new_email",),
    "password_changed": ("given_name",),
    "account_terminated": ("given_name",),
    "reset_code": ("code", "ttl_minutes"),
    "password_reset": ("given_name",),
    # second factors (issue 12); factor: totp, security_key or passkey
    "mfa_added": ("given_name", "factor"),
    "mfa_removed": ("given_name", "factor", "last"),
    "recovery_codes_generated": ("given_name",),
    # a login from a browser not known for the account (issue 14): time (UTC), browser, ip
    "new_device_login": ("given_name", "time", "browser", "ip", "reset_url"),
}

#: SMS template → the context keys it needs
SMS_TEMPLATES: dict[str, tuple[str, ...]] = {
    "phone_code": ("code", "ttl_minutes"),
}


@dataclass(frozen=True)
class RenderedMail:
    """A rendered mail: ``subject`` (one line), ``text`` and ``html`` bodies, ``language``."""

    subject: str
    text: str
    html: str
    language: str


class Renderer:
    """Renders mail and SMS templates from ``directory`` (default: the package's).

    ``languages``: the configured ones; ``default_language``: the fallback. Both render
    methods raise ``PermanentError`` (``msg.unknown_template``, ``msg.context_missing``,
    ``msg.template_error``) — a job no retry can fix.
    """

    def __init__(self, languages: Iterable[str], default_language: str, directory: Path = TEMPLATE_DIR) -> None:
        self.languages = tuple(languages)
        self.default_language = default_language
        self.env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            # the templates ship with the code: no os.stat of both files for every mail
            auto_reload=False,
        )

    def language_for(self, language: str | None) -> str:
        """``language`` when it is configured, else the default language."""
        return language if language in self.languages else self.default_language

    def render_mail(self, name: str, language: str | None, context: Mapping[str, Any]) -> RenderedMail:
        """Render mail ``name`` in ``language`` (or the default) with ``context``."""
        self._check(MAIL_TEMPLATES, name, context)
        lang = self.language_for(language)
        text_template = self._template(lang, f"{name}.txt")
        lang = text_template.name.split("/", 1)[0]
        try:
            module = text_template.make_module(dict(context))
            subject = " ".join(str(getattr(module, "subject", "")).split())
            text = str(module).strip() + "\n"
            html = self._template(lang, f"{name}.html").render(**context, subject=subject, lang=lang)
        except TemplateError as exc:
            logger.error("mail template %s/%s failed: %s", lang, name, exc)
            raise PermanentError(MsgMsg.template_error) from exc
        if not subject:
            logger.error("mail template %s/%s sets no subject", lang, name)
            raise PermanentError(MsgMsg.template_error)
        return RenderedMail(subject=subject, text=text, html=html, language=lang)

    def render_sms(self, name: str, language: str | None, context: Mapping[str, Any]) -> str:
        """The text of SMS ``name`` in ``language`` (or the default), on one line."""
        self._check(SMS_TEMPLATES, name, context)
        template = self._template(self.language_for(language), f"{name}.sms.txt")
        try:
            return " ".join(template.render(**context).split())
        except TemplateError as exc:
            logger.error("SMS template %s failed: %s", template.name, exc)
            raise PermanentError(MsgMsg.template_error) from exc

    @staticmethod
    def _check(table: Mapping[str, tuple[str, ...]], name: str, context: Mapping[str, Any]) -> None:
        if name not in table:
            logger.warning("unknown template %r", name)
            raise PermanentError(MsgMsg.unknown_template)
        missing = [key for key in table[name] if context.get(key) in (None, "")]
        if missing:
            logger.warning("template %s: context lacks %s", name, ", ".join(missing))
            raise PermanentError(MsgMsg.context_missing)

    def _template(self, lang: str, filename: str):
        try:
            return self.env.get_template(f"{lang}/{filename}")
        except TemplateNotFound:
            if lang == self.default_language:
                logger.error("template %s/%s is missing", lang, filename)
                raise PermanentError(MsgMsg.unknown_template) from None
            logger.warning("template %s/%s is missing; using %s", lang, filename, self.default_language)
            return self._template(self.default_language, filename)
