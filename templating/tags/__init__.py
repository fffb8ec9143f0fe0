"""ladle's replacements for the Liquid tags that take expressions, plus ``let``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liquid.extra import BlockTag, CallTag, ExtendsTag, MacroTag, WithTag

from ladle.templating.tags.assign_tag import AssignTag
from ladle.templating.tags.case_tag import CaseTag
from ladle.templating.tags.echo_tag import EchoTag
from ladle.templating.tags.for_tag import ForTag
from ladle.templating.tags.foreign import Screened
from ladle.templating.tags.if_tag import IfTag
from ladle.templating.tags.let_tag import LetTag
from ladle.templating.tags.liquid_tag import LiquidTag
from ladle.templating.tags.output_tag import OutputTag
from ladle.templating.tags.translate_tag import TranslateTag
from ladle.templating.tags.unless_tag import UnlessTag

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
