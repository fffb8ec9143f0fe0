"""A corpus page: see README.md here."""
