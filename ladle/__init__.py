"""ladle: Liquid templates, player layouts and placement rules sharing one expression language.

The parts, each a subpackage: ``ladle.grammar`` (the expression language),
``ladle.filters`` (the filters every host shares), ``ladle.templating`` (Liquid
templates), ``ladle.player`` (player layouts), ``ladle.rules`` (placement rules) and
``ladle.cli`` (the ``ladle`` command). Import the one you need::

    from ladle import grammar, templating
"""

__version__ = "0.1.0.dev0"
