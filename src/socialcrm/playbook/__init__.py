"""The playbook: what each stage asks of the rep, as working tools.

One module per concept, each reading its configuration from the pipeline's
``settings`` (keys below) so a host application can keep several offers with
different playbooks side by side:

========================  ==================================================
``settings`` key           module
========================  ==================================================
``seller_profile``         :mod:`~socialcrm.playbook.seller_profile` (stage 1)
``icp``                    :mod:`~socialcrm.playbook.icp` (stage 2)
``warmth``                 :mod:`~socialcrm.playbook.warmth` (stage 3)
``post_target``            :mod:`~socialcrm.playbook.posts` (stage 3)
``templates``              :mod:`~socialcrm.playbook.templates` (stage 4)
``sequences``              :mod:`~socialcrm.playbook.sequences` (stage 4)
``stage_limits``           :mod:`~socialcrm.playbook.agenda`
========================  ==================================================

The rep's own posts are not tied to an offer: they live in the store's meta
(``posts``).  Nothing is imported eagerly: each module is loaded on use.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _

if TYPE_CHECKING:
    from socialcrm.models import Pipeline

__all__ = [
    "ICP_KEY",
    "POSTS_META_KEY",
    "POST_TARGET_KEY",
    "SELLER_PROFILE_KEY",
    "SEQUENCES_KEY",
    "STAGE_LIMITS_KEY",
    "TEMPLATES_KEY",
    "WARMTH_KEY",
    "has_icp",
    "key_name",
]

SELLER_PROFILE_KEY = "seller_profile"
ICP_KEY = "icp"
WARMTH_KEY = "warmth"
POST_TARGET_KEY = "post_target"
TEMPLATES_KEY = "templates"
SEQUENCES_KEY = "sequences"
STAGE_LIMITS_KEY = "stage_limits"
POSTS_META_KEY = "posts"


def has_icp(pipeline: Pipeline | None) -> bool:
    """Whether ``pipeline`` qualifies prospects by an ICP score.

    Lets every command on a pipeline without an ICP skip importing
    :mod:`~socialcrm.playbook.icp` (and the scoring code) altogether.
    """
    return pipeline is not None and bool(pipeline.settings.get(ICP_KEY))


_KEY_NAME = r"[a-z0-9][a-z0-9_-]{0,63}"  # compiled on use: every CLI run imports this package


_INVALID_NAME = {
    "template": N_("invalid template name {name!r}"),
    "sequence": N_("invalid sequence name {name!r}"),
}
"""The refusal of a bad name, a whole sentence per kind (its grammar in French)."""


def key_name(name: str, what: str, example: str) -> str:
    """``name`` as the key of a template or sequence (lower case), or a clear error.

    ``what`` names the kind of thing in the message; ``example`` is a valid name for the hint.
    """
    key = name.strip().lower()
    if not re.fullmatch(_KEY_NAME, key):
        raise ValidationError(
            _(_INVALID_NAME.get(what) or N_("invalid name {name!r} (kind: {what})")).format(
                what=what, name=name
            ),
            field="name",
            value=name,
            hint=_("lower-case letters, digits, - and _ (e.g. {example})").format(example=example),
        )
    return key
