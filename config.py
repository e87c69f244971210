"""Configuration classes; every setting can be given by an environment variable."""

import hashlib
import os
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'academy.db'}"


def _development_key(name: str = "dev-secret-key") -> str:
    """A key kept in instance/ so development sessions (and the audit chain) survive a restart."""
    path = INSTANCE_DIR / name
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _check_time_zone(name: str) -> None:
    """Refuse to start with a DEFAULT_TIME_ZONE that is not an IANA zone name (every page would fail later)."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"DEFAULT_TIME_ZONE must be an IANA time zone name such as America/Chicago, not {name!r}.") from error


def development_base_url() -> str:
    """The address `make run` (or `flask run`) serves on, from HOST and PORT (or FLASK_RUN_HOST and FLASK_RUN_PORT)."""
    host = os.environ.get("HOST") or os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    port = os.environ.get("PORT") or os.environ.get("FLASK_RUN_PORT") or "5000"
    # Listening on every address is not binding anything here: the links use this machine's own address.
    if host in ("0.0.0.0", "::", ""):  # nosec B104
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", str(BASE_DIR)))
    DEBUG = _env_bool("FLASK_DEBUG")
    TESTING = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; a slow reader keeps their form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE")
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # The cookie is sent again only when the session changes (app.auth_session stamps "seen" once a minute), not
    # re-signed on every response; the 12-hour and idle limits are checked on the server either way.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_HOURS = 12  # absolute limit of a signed-in session
    IDLE_MINUTES_STAFF = int(os.environ.get("IDLE_MINUTES_STAFF", 15))
    IDLE_MINUTES_LEARNER = int(os.environ.get("IDLE_MINUTES_LEARNER", 30))
    # argon2id cost: at least 19 MiB and 2 passes (OWASP's minimum); the library default is stronger.
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", 65536))
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ATTEMPTS_PER_PAGE = 20
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_BYTES", 1024 * 1024))  # larger requests get a clear 413 page
    # E-mail: "smtp" sends through MAIL_SERVER; "console" prints each message (link included) to standard output.
    # Requests only queue messages; a sender outside the request delivers them (app.services.mail_sender).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")  # STARTTLS
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Billing & Coding Academy <no-reply@academy.invalid>")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 5))
    # Where an organisation has not chosen its own time zone, "today" (due, overdue, reminders) is a date here.
    DEFAULT_TIME_ZONE = os.environ.get("DEFAULT_TIME_ZONE", "America/New_York")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 10))  # seconds for each exchange with the server
    # Retries wait 1, 2, 4 ... minutes (at most an hour): 8 attempts cover about two hours of a server being down.
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 8))
    MAIL_SEND_IN_BACKGROUND = _env_bool("MAIL_SEND_IN_BACKGROUND", True)
    MAIL_POLL_SECONDS = float(os.environ.get("MAIL_POLL_SECONDS", 30))  # how often the sender looks for retries
    INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", 7))
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", 60))
    # Links in e-mails and certificates (made from the command line too) need the site's public address.
    # Production refuses to start without it; development derives it from HOST and PORT.
    BASE_URL = os.environ.get("BASE_URL", "")
    # xAPI: statements go to a Learning Record Store only when XAPI_ENDPOINT is set (e.g. https://lrs.example/xAPI/).
    XAPI_ENDPOINT = os.environ.get("XAPI_ENDPOINT", "")
    XAPI_USERNAME = os.environ.get("XAPI_USERNAME", "")
    XAPI_PASSWORD = os.environ.get("XAPI_PASSWORD", "")
    XAPI_TIMEOUT = float(os.environ.get("XAPI_TIMEOUT", 10))
    XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE", 50))
    XAPI_SEND_IN_BACKGROUND = _env_bool("XAPI_SEND_IN_BACKGROUND", True)
    # The audit chain is keyed (HMAC) with a key the database never holds, and its head (how many events, the
    # last hash) is kept in a file the database cannot rewrite, so removed or re-hashed events show.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    AUDIT_HEAD_PATH = os.environ.get("AUDIT_HEAD_PATH") or str(INSTANCE_DIR / "audit-head.json")
    # A request that writes without declaring it (app.unit_of_work.write) fails instead of being logged.
    UNIT_OF_WORK_STRICT = _env_bool("UNIT_OF_WORK_STRICT")
    # Sign-in, sign-up and reset forms: a per-client-address flood guard kept in Redis when REDIS_URL is set
    # (shared by every worker and server). Without Redis the database throttle alone applies.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_ENABLED = bool(REDIS_URL)
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_KEY_PREFIX = "academy"
    RATELIMIT_SWALLOW_ERRORS = True  # Redis down: the database throttle still protects every form
    AUTH_FLOOD_LIMIT = os.environ.get("AUTH_FLOOD_LIMIT", "60 per minute")

    @classmethod
    def init_app(cls, app) -> None:
        """Finish or check the configuration once the app exists."""
        _check_time_zone(app.config["DEFAULT_TIME_ZONE"])


class DevelopmentConfig(Config):
    """Local development: a persistent key under instance/, demo accounts, e-mail to the console."""

    DEMO_ACCOUNTS = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")

    @classmethod
    def init_app(cls, app) -> None:
        """Use the keys kept under instance/ unless SECRET_KEY and AUDIT_KEY are given; links point at where `make run` serves."""
        super().init_app(app)
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _development_key()
        if not app.config.get("AUDIT_KEY"):
            app.config["AUDIT_KEY"] = _development_key("dev-audit-key")
        if not app.config.get("BASE_URL"):
            app.config["BASE_URL"] = development_base_url()


class TestingConfig(Config):
    """The test suite: a throwaway database, cheaper (still compliant) password hashing."""

    TESTING = True
    # A fixed key for the test suite only; production refuses to start without its own.
    SECRET_KEY = "testing-secret-key-not-for-production-use-000000"  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    ARGON2_MEMORY_KIB = 19456
    ARGON2_TIME_COST = 2
    DEMO_ACCOUNTS = True
    MAIL_BACKEND = "console"
    MAIL_SEND_IN_BACKGROUND = False  # tests deliver with mail.deliver_pending(); those of the sender start it
    BASE_URL = "http://localhost"
    XAPI_ENDPOINT = ""  # tests that need a Learning Record Store start their own
    AUDIT_KEY = "testing-audit-key-not-for-production-use-0000000"  # a fixed key for the test suite only
    AUDIT_HEAD_PATH = os.environ.get("AUDIT_HEAD_PATH")  # unset: one head file per test database (init_app)

    @classmethod
    def init_app(cls, app) -> None:
        """Give each test database its own audit head file, so one test's trail never meets another's head."""
        super().init_app(app)
        if not app.config.get("AUDIT_HEAD_PATH"):
            url = app.config["SQLALCHEMY_DATABASE_URI"]
            name = f"academy-test-audit-head-{hashlib.sha256(url.encode()).hexdigest()[:16]}.json"
            app.config["AUDIT_HEAD_PATH"] = str(Path(tempfile.gettempdir()) / name)
    UNIT_OF_WORK_STRICT = True  # every write path of the suite proves it declares its write
    REDIS_URL = ""  # the tests that need Redis turn the flood guard on themselves
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    """Production: no debug, a real secret key, secure cookies, no demo accounts, long-cached static files."""

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    DEMO_ACCOUNTS = False
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static URLs carry a content hash (app.health)

    @classmethod
    def init_app(cls, app) -> None:
        """Refuse to start with a missing or short secret key or audit key, or with debug on."""
        super().init_app(app)
        for name in ("SECRET_KEY", "AUDIT_KEY"):
            key = app.config.get(name)
            if not key or len(key) < 32:
                raise RuntimeError(f"{name} must be set to at least 32 characters in production.")
        if app.config["AUDIT_KEY"] == app.config["SECRET_KEY"]:
            raise RuntimeError("AUDIT_KEY must differ from SECRET_KEY.")
        if app.debug or app.config.get("DEBUG"):
            raise RuntimeError("Debug mode must be off in production.")
        base_url = app.config.get("BASE_URL") or ""
        if not base_url.startswith(("http://", "https://")):
            raise RuntimeError("BASE_URL must be set in production to the site's public address (e.g. https://training.example.org): "
                               "links in e-mails and certificates are built on it.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by FLASK_CONFIG (development by default)."""
    name = os.environ.get("FLASK_CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"FLASK_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}.")
    return CONFIGS[name]
