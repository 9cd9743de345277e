"""Identify what licence, use policy, notice or code of conduct a file's text is."""

from commonslint.detect.identify import SURE, Identification, identify

__all__ = ["SURE", "Identification", "identify"]
