"""Command handlers, one module per concern; each is `handler(session, arg) -> None`."""
