"""Screens of the customer base."""
