"""ladle's replacements for the Liquid tags that take expressions, plus ``let``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liquid.extra import BlockTag, CallTag, ExtendsTag, MacroTag, WithTag

from templating.tags.assign_tag import AssignTag
from templating.tags.case_tag import CaseTag
from templating.tags.echo_tag import EchoTag
from templating.tags.for_tag import ForTag
from templating.tags.foreign import Screened
from templating.tags.if_tag import IfTag
from templating.tags.let_tag import LetTag
from templating.tags.liquid_tag import LiquidTag
from templating.tags.output_tag import OutputTag
from templating.tags.translate_tag import TranslateTag
from templating.tags.unless_tag import UnlessTag

if TYPE_CHECKING:
    from liquid import Environment

TAGS = (OutputTag, EchoTag, IfTag, UnlessTag, CaseTag, AssignTag, LetTag, ForTag, LiquidTag)
# python-liquid's inheritance and macro tags, which ladle turns on by default.
EXTRA = (ExtendsTag, BlockTag, MacroTag, CallTag, WithTag)


def register(env: Environment) -> None:
    """Add ladle's tags to ``env``, replacing python-liquid's of the same name."""
    for tag in (*EXTRA, *TAGS):
        env.add_tag(tag)
    if "translate" in env.tags:  # python-liquid's extra tags are on
        env.add_tag(TranslateTag)
    # python-liquid's tags left read their arguments with its own tokenizer.
    own: tuple[type, ...] = (*EXTRA, *TAGS, TranslateTag, Screened)
    for name, existing in list(env.tags.items()):
        if not isinstance(existing, own):
            env.tags[name] = Screened(existing)
