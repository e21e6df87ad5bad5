"""Analytics has no tables of its own yet: forecasts and reports read the sales data."""
