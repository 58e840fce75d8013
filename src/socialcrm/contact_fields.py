"""A prospect's contact fields as a rep or a file gives them: checked, then normalised.

Shared by the CRM facade (``add``, ``edit``) and the import engine, so a
prospect typed at the command line and one read from a file are held to the
same rules.  The checking libraries (email-validator, phonenumbers) are
imported on first use: most commands never check a field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _

__all__ = [
    "FREE_MAIL_DOMAINS",
    "company_size_value",
    "normalize_email",
    "normalize_phone",
    "split_name",
    "unique_emails",
    "work_domain",
]

#: Mailbox providers: their domain says nothing of the company (nor of the person).
FREE_MAIL_DOMAINS = frozenset(
    {
        *("gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk"),
        *("hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr", "live.com", "live.fr"),
        *("msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.de"),
        *("gmx.fr", "web.de", "proton.me", "protonmail.com", "orange.fr", "wanadoo.fr"),
        *("free.fr", "sfr.fr", "laposte.net", "neuf.fr", "bbox.fr", "yandex.ru"),
        *("yandex.com", "mail.ru", "qq.com", "163.com", "naver.com", "libero.it"),
    }
)


def work_domain(emails: Iterable[str]) -> str:
    """The domain of the first e-mail that is not at a free mailbox provider, or ``""``."""
    for email in emails:
        domain = email.rpartition("@")[2].lower().rstrip(".")
        if domain and domain not in FREE_MAIL_DOMAINS:
            return domain
    return ""


_EMAIL_REASONS = {
    "An email address must have an @-sign.": N_("An e-mail address must have an @."),
    "There must be something before the @-sign.": N_("There must be something before the @."),
    "There must be something after the @-sign.": N_("There must be something after the @."),
    "The part after the @-sign is not valid. It should have a period.": N_(
        "The part after the @ is not valid: it should have a period."
    ),
    "An email address cannot have two periods in a row.": N_(
        "An e-mail address cannot have two periods in a row."
    ),
    "An email address cannot start with a period.": N_(
        "An e-mail address cannot start with a period."
    ),
    "An email address cannot end with a period.": N_("An e-mail address cannot end with a period."),
    "An email address cannot have a period immediately before the @-sign.": N_(
        "An e-mail address cannot have a period just before the @."
    ),
    "An email address cannot have a hyphen immediately after the @-sign.": N_(
        "An e-mail address cannot have a hyphen just after the @."
    ),
    "The part after the @-sign is a special-use or reserved name that cannot be used with "
    "email.": N_("The part after the @ is a reserved name that cannot be used for e-mail."),
}
"""email-validator's common reasons (its messages are English only), by their exact text."""
_EMAIL_CHARACTERS = {
    "The email address contains invalid characters before the @-sign: ": N_(
        "The e-mail address contains invalid characters before the @: {characters}"
    ),
    "The part after the @-sign contains invalid characters: ": N_(
        "The part after the @ contains invalid characters: {characters}"
    ),
}
"""Its reasons naming the characters refused (the end of the message)."""


def email_reason(exc: Exception) -> str:
    """Why email-validator refused an address: translated when it is a common reason and
    a language other than English is in force (:func:`socialcrm.i18n.text`), else in
    the library's own English words (as :func:`socialcrm.i18n.os_reason` does)."""
    reason = str(exc)
    message = _EMAIL_REASONS.get(reason)
    if message is not None and _(message) != message:
        return _(message)
    for prefix, template in _EMAIL_CHARACTERS.items():
        if reason.startswith(prefix) and _(template) != template:
            return _(template).format(characters=reason.removeprefix(prefix).rstrip("."))
    return reason


def normalize_email(value: str) -> str:
    """A syntactically valid e-mail in normalised form, or a ValidationError."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(
            _("invalid e-mail {value!r}: {exc}").format(value=value, exc=email_reason(exc)),
            field="emails",
            value=value,
        ) from None


def normalize_phone(value: str, region: str) -> str:
    """A phone number in E.164 form (``+33612345678``), or a ValidationError."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("invalid phone number {value!r}: {exc}").format(value=value, exc=exc),
            field="phones",
            value=value,
            hint=_("write it in international form, e.g. +33 6 12 34 56 78"),
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("invalid phone number {value!r}: wrong length for its country").format(value=value),
            field="phones",
            value=value,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def company_size_value(value: Any) -> int | None:
    """A head count (``int`` >= 0, or its decimal text), ``None`` for empty; else ValidationError.

    Guards the model: an ``int`` field holding text would be written to the
    store and make the prospect's document unreadable.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            _("company size must be a whole number >= 0, got {value!r}").format(value=value),
            field="company_size",
            value=value,
        )
    return value


def split_name(name: str) -> tuple[str | None, str | None]:
    """Guess first (given) and last (family) name from a display name: "First Last",
    or family name first for a CJK name (:func:`socialcrm.names.split_name`)."""
    from socialcrm.names import split_name as split

    return split(name)


def unique_emails(emails: Iterable[str]) -> list[str]:
    """E-mails without repeats ignoring case (look-ups ignore case too), first spelling kept."""
    seen: dict[str, str] = {}
    for email in emails:
        seen.setdefault(email.casefold(), email)
    return list(seen.values())
