"""Email digests: due periods, the outbox, building, rendering and sending.

The scheduler calls `app.digests.job.run_digest_pass(app, now)` every minute; the web settings
page calls `preview_digest`, the admin page `recent_deliveries` (both in `app.digests.views`).
"""
