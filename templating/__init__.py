"""Liquid templates whose tags take the full expression language (built on python-liquid)."""
