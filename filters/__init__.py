"""Filters: python-liquid's standard filters plus ladle's own, one registry for every host."""
