"""Webhooks: telling other tools about claim events, signed, retried and logged.

The domain of it, without Flask: endpoints and their secrets (`endpoints`, `secrets`), what a
message says (`messages`, `formats`), new events becoming deliveries (`fanout`), the outbox
(`outbox`), sending a batch through `app.outbound` (`sender`), and the logs the faces show
(`log`). The job that runs a pass is `app.webhook_job`; `flask webhooks send` runs it once.
"""
