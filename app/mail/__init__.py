"""Email: what a reader's digest says, rendered as text and HTML, and the transports that send
it. Shared by the digest outbox (app.digests) and the web's preview; no face of its own."""
