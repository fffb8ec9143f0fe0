"""Placement rules: rule files checked and routed over catalogs of file records."""
