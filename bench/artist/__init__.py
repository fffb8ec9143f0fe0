"""The artist page of the templates benchmark: its standard-Liquid and Jinja2 versions
(``liquid/``, ``jinja/``) and the generated data they render (``data.py``)."""
