"""The layout playground behind ``ladle layout serve``: a small local web app (Starlette under
uvicorn, in the ``serve`` extra) where an author edits a layout and sees its findings and
both players change as they type.

- ``page``: what the page shows for one text (findings, preview, resolved values, embed code),
  from the same ``player`` calls the ``ladle layout`` commands make;
- ``disk``: the one file it edits: versions, atomic saves that refuse lost edits, watching;
- ``guard``: containment: the Host and Origin checks, security headers, the body limit;
- ``app``: the routes; ``static/``: the page, its script and its stylesheet.

Only ``app`` and ``disk`` import the extra's libraries, so the command line starts without them.
"""
