# Copy to instance/config.py and adapt. Every key can also be set as an environment variable
# MOVE_EVENTS_<KEY> (values are read as JSON where they can be: MOVE_EVENTS_MAIL_PORT=587).

# Required in production: a random key of at least 32 bytes, made with
#     python3 -c 'import secrets; print(secrets.token_hex())'
# The app refuses to start with this placeholder (or any key shorter than 32 bytes) outside debug/tests.
SECRET_KEY = "change-me"

# Required in production (HTTPS): the site's public address. Every link in e-mails starts with it, and
# requests addressed to another host name are refused (TRUSTED_HOSTS: this host, plus localhost).
# BASE_URL = "https://events.example.org"
# TRUSTED_HOSTS = ["events.example.org", "localhost"]

# PostgreSQL in production (pip install -e '.[postgres]'); SQLite in instance/ when unset.
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://move_events:password@localhost/move_events"

# Without MAIL_SERVER, e-mails stay in the outbox, where admins can read them.
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "move-events"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "MOVE Events <events@example.org>"

# Target countries of the partnership (ISO 3166 alpha-2).
# TARGET_COUNTRIES = ["MA", "BR"]

# Behind plain http only (a laptop demo): cookies without the Secure flag.
# SESSION_COOKIE_SECURE = False
# REMEMBER_COOKIE_SECURE = False
