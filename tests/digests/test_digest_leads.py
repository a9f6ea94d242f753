"""The digest's "new leads on your claims": leads found since the last digest, still waiting
for a decision, on the open claims assigned to the reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.claims import assign_claim
from app.digests.job import run_digest_pass
from app.mail.content import Reader, build_digests
from app.watches import dismiss_lead
from tests.digests.test_digest_email import NOW, reader_in_berlin

FOUND = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)  # within the digest's day (07:00 to 07:00 UTC)


def test_a_new_lead_on_the_readers_claim_is_in_the_digest_with_links(
    mail_app, smtp, factory, session
):
    reader = reader_in_berlin(factory)
    claim = factory.claim(statement="DeepSeek V4 will run on Ascend", subject="DeepSeek V4")
    assign_claim(session, factory.reviewer, NOW, claim.id, reader.id)
    lead = factory.lead(claim, "DeepSeek V4 launch post", now=FOUND)
    session.commit()

    assert run_digest_pass(mail_app, NOW).sent == 1

    (message,) = smtp.mailbox.messages
    assert "1 new leads on your claims" in message["Subject"]
    for part in message.get_payload():
        body = part.get_payload(decode=True).decode()
        assert "New leads on your claims" in body
        assert "(1)" in body
        assert "DeepSeek V4 launch post" in body
        assert lead.url in body
        assert f"http://claimwatch.example/claims/{claim.id}#leads" in body


def test_leads_elsewhere_decided_or_outside_the_range_are_left_out(factory, session):
    reader = reader_in_berlin(factory)
    other = reader_in_berlin(factory)
    mine = factory.claim(subject="DeepSeek V4")
    theirs = factory.claim(subject="Ascend 950")
    for claim, person in ((mine, reader), (theirs, other)):
        assign_claim(session, factory.reviewer, NOW, claim.id, person.id)
    kept = factory.lead(mine, "DeepSeek V4 one", now=FOUND)
    decided = factory.lead(mine, "DeepSeek V4 two", now=FOUND)
    dismiss_lead(session, factory.reviewer, NOW, mine.id, decided.id, "Not about V4")
    factory.lead(mine, "DeepSeek V4 three", now=FOUND - timedelta(days=2))
    factory.lead(theirs, "Ascend 950 story", now=FOUND)
    session.flush()
    start = datetime(2026, 11, 20, 7, tzinfo=UTC)

    readers = [
        Reader(None, u.id, u.email, u.name, u.timezone, "<m@x>", "D", start - timedelta(1), start)
        for u in (reader, other)
    ]
    mine_digest, other_digest = build_digests(session, readers)

    assert [item.url for item in mine_digest.leads.items] == [kept.url]
    assert [item.title for item in other_digest.leads.items] == ["Ascend 950 story"]
