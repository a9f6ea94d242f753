"""How instants, dates and deadlines read to a person, in one format for every page, the
digest and the feed. No Flask: the web, app.mail and the feed all use it."""
