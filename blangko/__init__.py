"""Blangko: a double-entry ledger of KTP-el blank cards and the services around it."""

__version__ = "0.1.0"
