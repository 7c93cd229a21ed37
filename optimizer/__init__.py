"""svcplan: station siting, staff rostering and surge dispatch for public-service organisations."""

__version__ = "0.1.0"
