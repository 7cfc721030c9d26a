"""o2s-config: configuration as code for the user rights of the O2S CRM."""

__version__ = "0.1.0"
