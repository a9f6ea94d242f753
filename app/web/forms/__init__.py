"""Flask-WTF forms: they carry the values and the CSRF token; the domain validates."""
