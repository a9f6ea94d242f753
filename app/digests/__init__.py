"""Email digests as a job: due periods become outbox rows, which are claimed, rendered
(`app.mail`) and sent. The scheduler runs `app.digests.job.run_digest_pass` every minute;
`flask digests send` runs it once (`app.digests.cli`)."""
