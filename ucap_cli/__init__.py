"""ucap: validate, query and author U-CAP records kept as TOML files."""

__version__ = "0.1.0"
