"""ladle's replacements for the Liquid tags that take expressions, plus ``let``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liquid.extra import BlockTag, ExtendsTag
from liquid.token import TOKEN_CONTENT

from ladle.templating.tags.assign_tag import AssignTag
from ladle.templating.tags.call_tag import CallTag
from ladle.templating.tags.case_tag import CaseTag
from ladle.templating.tags.cycle_tag import CycleTag
from ladle.templating.tags.echo_tag import EchoTag
from ladle.templating.tags.for_tag import ForTag
from ladle.templating.tags.foreign import Screened
from ladle.templating.tags.if_tag import IfTag
from ladle.templating.tags.include_tag import IncludeTag
from ladle.templating.tags.let_tag import LetTag
from ladle.templating.tags.liquid_tag import LiquidTag
from ladle.templating.tags.macro_tag import MacroTag
from ladle.templating.tags.output_tag import OutputTag
from ladle.templating.tags.render_tag import RenderTag
from ladle.templating.tags.tablerow_tag import TablerowTag
from ladle.templating.tags.translate_tag import TranslateTag
from ladle.templating.tags.unless_tag import UnlessTag
from ladle.templating.tags.with_tag import WithTag

if TYPE_CHECKING:
    from liquid import Environment

TAGS = (OutputTag, EchoTag, IfTag, UnlessTag, CaseTag, AssignTag, LetTag, ForTag, LiquidTag,
        RenderTag, IncludeTag, CycleTag, TablerowTag, WithTag, MacroTag, CallTag)
# python-liquid's inheritance tags, which ladle turns on by default (their arguments are
# names only: read by python-liquid, screened).
INHERITANCE = (ExtendsTag, BlockTag)


def register(env: Environment) -> None:
    """Add ladle's tags to ``env``, replacing python-liquid's of the same name."""
    for tag in (*INHERITANCE, *TAGS):
        env.add_tag(tag)
    if "translate" in env.tags:  # python-liquid's extra tags are on
        env.add_tag(TranslateTag)
    # python-liquid's tags left read their arguments with its own tokenizer (plain text
    # has none: its pseudo-tag is left as it is, for the block parser to see).
    own: tuple[type, ...] = (*TAGS, TranslateTag, Screened)
    for name, existing in list(env.tags.items()):
        if not isinstance(existing, own) and name != TOKEN_CONTENT:
            env.tags[name] = Screened(existing)
