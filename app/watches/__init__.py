"""Watches and leads: the feeds the desk follows, and the entries in them that may settle a
claim.

Plain functions taking a session (an actor and `now` where a person acts); no Flask, no
commit, no HTTP: the poll job (`app.polling`) fetches through `app.outbound` and hands the
answers here. Matching uses the claims' watch-term index (`app.claims.percolate`).
"""

from app.watches.decisions import accept_lead, dismiss_lead
from app.watches.manage import add_watch, remove_watch

__all__ = ["accept_lead", "add_watch", "dismiss_lead", "remove_watch"]
