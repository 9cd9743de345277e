"""commonslint: lint a model repository for the promises that make a model a commons."""

__version__ = "0.1.0"
