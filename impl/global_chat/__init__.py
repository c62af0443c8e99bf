"""Everruns global chat service: the hand-written side of the contract in openapi/openapi.yaml."""

__version__ = "0.1.0"
