"""Checks: assertions about an org, built-in policies, the expected snapshot,
JUnit output and coverage."""
