"""Renderers: each turns a CompiledOrg or diagnostics into one output format."""
