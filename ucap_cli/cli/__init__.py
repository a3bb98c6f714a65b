"""The command layer: Typer commands that parse options, call the core and render the result.

Nothing outside this package imports it.
"""
