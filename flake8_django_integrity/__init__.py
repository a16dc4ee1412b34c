"""flake8 plugin that finds the causes of Django's IntegrityError in the source."""

__version__ = "0.1.0"
