"""Stage 4, contact: message templates with variables, checked against channel limits.

A template is text with ``{variables}``: ``{first_name}``, ``{last_name}``,
``{name}``, ``{company}``, ``{title}``, ``{sector}``, ``{location}``,
``{point_of_interest}`` and any of the prospect's custom fields by name
(``{budget}``).  ``{{`` and ``}}`` write literal braces.  Rendering refuses:

* an unknown variable, by name (a typo must never reach a prospect);
* a variable the prospect has no value for (no "Hello None");
* a result longer than the target network channel's limit, with the count
  (checked by the network plugin's limits through
  :meth:`~socialcrm.networks.NetworkRegistry.check_message`).

Templates are stored by name in the pipeline's ``settings["templates"]``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING

from attrs import frozen

from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Pipeline, Prospect, nfc
from socialcrm.playbook import TEMPLATES_KEY, key_name
from socialcrm.playbook.followups import list_sequences

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "VARIABLES",
    "Rendered",
    "delete_template",
    "get_template",
    "list_templates",
    "render",
    "render_for",
    "set_template",
    "variables",
]

VARIABLES = (
    "first_name",
    "last_name",
    "name",
    "company",
    "title",
    "sector",
    "location",
    "point_of_interest",
)


def variables(text: str, *, template: str = "template") -> list[str]:
    """The variables a template uses, in order; a syntax error names the problem."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            f"{template}: {exc}",
            field="template",
            hint=_("write literal braces as {{ and }}"),
        ) from None
    names: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.strip():
            raise ValidationError(
                _("{template}: empty variable {{}}").format(template=template), field="template"
            )
        if spec or conversion:
            raise ValidationError(
                _(
                    "{template}: variable {{{name}}} has a format (!, :) which templates do not use"
                ).format(template=template, name=name),
                field="template",
                value=name,
            )
        if name not in names:
            names.append(name)
    return names


def _value(p: Prospect, name: str) -> str | None:
    if name == "point_of_interest":
        return p.point_of_interest.text if p.point_of_interest else None
    if name in VARIABLES:
        value = getattr(p, name)
        return str(value) if value else None
    return p.custom.get(name)


def render(text: str, prospect: Prospect, *, template: str = "template") -> str:
    """Fill ``text`` for ``prospect``; refuses unknown or empty variables by name."""
    names = variables(text, template=template)
    values: dict[str, str] = {}
    for name in names:
        if name not in VARIABLES and name not in prospect.custom:
            raise ValidationError(
                _("{template}: unknown variable {{{name}}}").format(template=template, name=name),
                field="template",
                value=name,
                hint=_("variables: ")
                + ", ".join(VARIABLES)
                + (_(", custom fields: ") + ", ".join(prospect.custom) if prospect.custom else ""),
            )
        value = _value(prospect, name)
        if not value:
            raise ValidationError(
                _("{template}: {name} ({id}) has no value for {{{name2}}}").format(
                    template=template, name=prospect.name, id=prospect.id, name2=name
                ),
                field=name,
                value=name,
                hint=_("fill it in (edit / interest) or use another template"),
            )
        values[name] = value
    pieces = [
        literal + (values[name] if name is not None else "")
        for literal, name, _spec, _conv in string.Formatter().parse(text)
    ]
    return nfc("".join(pieces))


@frozen
class Rendered:
    """A message ready to send, with its length and the channel's limit."""

    text: str
    network: str
    channel: str
    length: int
    limit: int


def render_for(
    crm: CRM, text: str, prospect: Prospect, network: str, channel: str, *, template: str
) -> Rendered:
    """Render and check the result against ``network``'s ``channel`` limit.

    Raises :class:`~socialcrm.errors.MessageTooLongError` with the count when
    the message is over the limit.
    """
    message = render(text, prospect, template=template)
    length = crm.networks.check_message(network, channel, message)
    limit = crm.networks.channel(network, channel).limit
    return Rendered(message, network.lower(), channel, length, limit)


def list_templates(pipeline: Pipeline) -> dict[str, str]:
    raw = pipeline.settings.get(TEMPLATES_KEY) or {}
    return {str(k): str(v) for k, v in sorted(raw.items())} if isinstance(raw, Mapping) else {}


def get_template(pipeline: Pipeline, name: str) -> str:
    found = list_templates(pipeline).get(name.strip().lower())
    if found is None:
        raise NotFoundError(name, what="template", hint=_("see 'socialcrm template list'"))
    return found


def set_template(crm: CRM, name: str, text: str) -> str:
    """Create or replace a template after checking its syntax and variables' names."""
    key = key_name(name, "template", "first-contact")
    text = text.strip("\n")
    if not nfc(text):
        raise ValidationError(_("a template needs a text"), field="text")
    for var in variables(text, template=key):
        if var not in VARIABLES and not re.fullmatch(r"[\w .-]+", var):
            raise ValidationError(
                _("{key}: invalid variable name {{{var}}}").format(key=key, var=var),
                field="template",
                value=var,
            )
    templates = list_templates(crm.pipeline)
    templates[key] = text
    crm.update_pipeline_settings({TEMPLATES_KEY: templates})
    return key


def delete_template(crm: CRM, name: str) -> None:
    """Remove a template; refused while a sequence uses it."""
    key = name.strip().lower()
    templates = list_templates(crm.pipeline)
    if key not in templates:
        raise NotFoundError(name, what="template")
    users = [
        s.name for s in list_sequences(crm.pipeline) if any(t.template == key for t in s.steps)
    ]
    if users:
        raise ValidationError(
            _("template {key!r} is used by sequence(s) {users}").format(
                key=key, users=", ".join(users)
            ),
            field="name",
            value=key,
        )
    del templates[key]
    crm.update_pipeline_settings({TEMPLATES_KEY: templates or None})
