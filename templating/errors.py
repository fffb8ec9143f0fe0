"""Template errors: python-liquid's error classes, positioned with 1-based line and column."""

from __future__ import annotations

from liquid.exceptions import (
    LiquidError,
    LiquidSyntaxError,
    LiquidTypeError,
    ResourceLimitError,
    TemplateNotFoundError,
)
from liquid.token import Token

from ladle.grammar.errors import (
    Diagnostic,
    EvaluationError,
    ExpressionError,
    caret_excerpt,
    line_and_column,
)


class TemplateError(LiquidError, Diagnostic):
    """Base of ladle's template errors: a python-liquid error and a ladle ``Diagnostic``,
    whose text, position and file come from python-liquid's token and template name."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    @property
    def source(self) -> str:
        return "" if self.token is None else self.token.source

    @property
    def position(self) -> int | None:
        if self.token is None or self.token.start_index < 0:
            return None
        return self.token.start_index

    @property
    def file(self) -> str:
        return "" if self.template_name is None else str(self.template_name)

    def detailed_message(self) -> str:
        """The message, ``-> name:line:col``, and the source line with a caret."""
        position = self.position
        if position is None or self.token is None:
            return str(self.message)
        source = self.token.source
        line, column = line_and_column(source, position)
        text, caret = caret_excerpt(source, position).split("\n")
        number = str(line)
        pad = " " * len(number)
        where = f"{self.template_name or '<string>'}:{line}:{column}"
        return f"{self.message}\n{pad} -> {where}\n{number} | {text}\n{pad} | {caret}"


class TemplateSyntaxError(TemplateError, LiquidSyntaxError):
    """A template or one of its expressions is malformed."""


class TemplateEvaluationError(TemplateError, LiquidTypeError):
    """An expression in a template failed while rendering."""


class TemplateReadError(TemplateError, TemplateNotFoundError):
    """A template's file exists but cannot be read, or is not text (python-liquid's code
    treats it as a template it could not load)."""


class TemplateNotFound(TemplateError, TemplateNotFoundError):
    """A template the loader cannot find: ``name`` is the name asked for, ``where`` says
    where the loader looked. Raised for a partial, it is placed at the tag that names it,
    in the template that holds the tag."""

    def __init__(self, name: str, where: str, *, token: Token | None = None) -> None:
        super().__init__(f"template {name!r} not found ({where})", token=token)
        self.name = name
        self.where = where

    def __str__(self) -> str:
        return self.detailed_message()

    def __reduce__(self) -> tuple[object, ...]:
        return (_not_found, (self.name, self.where, self.token, self.template_name))


def _not_found(name: str, where: str, token: Token | None,
               template_name: object) -> TemplateNotFound:
    error = TemplateNotFound(name, where, token=token)
    error.template_name = template_name  # type: ignore[assignment]
    return error


class WorkLimitError(TemplateError, ResourceLimitError):
    """A render spent its work budget or ran past its time limit (``templating.budget``)."""


def at(token: Token, offset: int) -> Token:
    """A token pointing ``offset`` characters into ``token``'s text."""
    return Token(token.kind, token.value, token.start_index + offset, token.source)


def from_expression(error: ExpressionError, token: Token) -> TemplateError:
    """The template error for an expression error in ``token`` (an expression token)."""
    offset = error.position if error.position is not None else len(token.value)
    cause = error.__cause__
    if isinstance(cause, WorkLimitError):  # spent inside the expression: keep its kind
        limit = WorkLimitError(cause.message, token=at(token, offset))
        limit.__cause__ = cause
        return limit
    kind = TemplateEvaluationError if isinstance(error, EvaluationError) else TemplateSyntaxError
    result: TemplateError = kind(error.message, token=at(token, offset))
    result.__cause__ = error
    return result
