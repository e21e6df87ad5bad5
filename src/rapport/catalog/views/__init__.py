"""Catalogue screens: products for everyone, prices and discounts for administrators."""
