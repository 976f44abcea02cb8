# Copy to instance/config.py and adapt. Every key can also be set as an environment variable
# MOVE_EVENTS_<KEY> (values are read as JSON where they can be: MOVE_EVENTS_MAIL_PORT=587).

# Required in production: a long random string. python -c 'import secrets; print(secrets.token_hex())'
SECRET_KEY = "change-me"

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
