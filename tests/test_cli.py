"""The command line: users, tokens and the demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from app import create_app
from app.accounts.passwords import verify_password
from app.accounts.tokens import find_token_grant
from app.demo import DEEPSEEK_STATEMENT, DEMO_EMAIL
from app.models import ApiToken, Claim, ClaimEvent, Evidence, Lead, User, Watch
from tests.conftest import NOW, CommandRunner, app_config


def test_users_create_reads_the_password_from_stdin(runner, session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ed@Newsroom.example",
            "--role",
            "reviewer",
            "--name",
            "Ed",
            "--password-stdin",
        ],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.email == "ed@newsroom.example")).one()
    assert user.role == "reviewer"
    assert verify_password(user.password_hash, "correct horse battery")
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_a_short_password_and_a_duplicate(runner, factory, session):
    existing = factory.user(role="viewer")
    result = runner.invoke(
        args=["users", "create", existing.email, "--role", "viewer", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "password" in result.output
    assert "already has an account" in result.output


def test_tokens_create_prints_the_token_alone_on_the_last_line(runner, factory, session):
    user = factory.user(role="reviewer")
    session.commit()
    result = runner.invoke(
        args=["tokens", "create", user.email, "--scope", "write", "--name", "scripts"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("cw_")
    token = find_token_grant(session.connection(), secret, NOW)
    assert token is not None
    assert token.scope == "write"
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored


def test_demo_loads_the_deepseek_claim_once(runner, session):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_EMAIL in first.output
    counts = [session.scalar(select(func.count()).select_from(m)) for m in (Claim, ClaimEvent)]
    second = runner.invoke(args=["demo"])
    assert "already" in second.output
    assert [
        session.scalar(select(func.count()).select_from(m)) for m in (Claim, ClaimEvent)
    ] == counts
    claim = session.scalars(select(Claim).where(Claim.statement == DEEPSEEK_STATEMENT)).one()
    assert claim.source.name == "The Decoder"
    assert session.scalar(select(func.count()).where(Evidence.claim_id == claim.id)) == 1
    statuses = set(session.scalars(select(Claim.status)).all())
    assert {"pending", "confirmed", "refuted"} <= statuses


def test_demo_shows_a_watch_and_leads_on_the_deepseek_claim_without_a_network(runner, session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    claim = session.scalars(select(Claim).where(Claim.statement == DEEPSEEK_STATEMENT)).one()
    leads = session.scalars(select(Lead).where(Lead.claim_id == claim.id)).all()
    assert {lead.matched_term for lead in leads} == {"DeepSeek V4", "Huawei Ascend"}
    assert {lead.status for lead in leads} == {"new"}
    [watch] = session.scalars(select(Watch)).all()
    assert watch.last_success_at is not None
    found = session.scalar(
        select(func.count()).where(ClaimEvent.claim_id == claim.id, ClaimEvent.kind == "lead_found")
    )
    assert found == 2


def test_demo_refuses_to_run_in_production_in_one_line(database_url, connection, tmp_path, session):
    # The demo admin's password is published (README, scripts/run): in production it would be
    # an open door.
    config = app_config(database_url, DB_BIND=connection, INSTANCE_PATH=str(tmp_path))
    production = create_app(
        {
            **config,
            "CLAIMWATCH_ENV": "production",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        }
    )
    production.test_cli_runner_class = CommandRunner
    result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert "CLAIMWATCH_ENV is development or testing" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert session.scalar(select(func.count()).where(User.email == DEMO_EMAIL)) == 0
    assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_users_create_refuses_letters_outside_ascii_before_the_at(runner, session):
    result = runner.invoke(
        args=["users", "create", "jörg@newsroom.example", "--role", "reviewer", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 1
    assert "error: email: must have only ASCII letters before the @" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
    # A domain in other letters is fine: mail goes to its ASCII (IDNA) form.
    result = runner.invoke(
        args=["users", "create", "joerg@bücher.example", "--role", "reviewer", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
