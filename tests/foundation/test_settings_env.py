"""Settings come from environment variables, with documented defaults and clear refusals."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR

DUMP = (
    "import json, django; from django.conf import settings; django.setup();"
    "d = settings.DATABASES['default'];"
    "print(json.dumps({'db_name': d['NAME'], 'db_host': d['HOST'], 'db_port': d['PORT'],"
    " 'redis': settings.REDIS_URL, 'broker': settings.CELERY_BROKER_URL,"
    " 'embedder': settings.EMBEDDER_URL, 'media_root': str(settings.MEDIA_ROOT),"
    " 'hosts': settings.ALLOWED_HOSTS, 'max_upload': settings.MAX_UPLOAD_BYTES,"
    " 'max_duration': settings.MAX_VIDEO_DURATION_SECONDS, 'debug': settings.DEBUG,"
    " 'pool': d['OPTIONS'].get('pool'), 'conn_max_age': d.get('CONN_MAX_AGE', 0)}))"
)


def load_settings(script: str = DUMP, **overrides: str) -> subprocess.CompletedProcess:
    """Run the script (by default: print the settings as JSON) in a process with this
    environment (a None value unsets the variable)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tiktok.settings", **overrides}
    for name, value in overrides.items():
        if value is None:
            env.pop(name)
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_json(**overrides: str) -> dict:
    result = load_settings(**overrides)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_external_database_and_redis_urls_are_used_as_given():
    values = settings_json(
        DATABASE_URL="postgresql://app:secret@db.internal:6543/shortvideo",
        REDIS_URL="redis://cache.internal:6380/2",
    )
    assert (values["db_host"], values["db_port"], values["db_name"]) == (
        "db.internal",
        6543,
        "shortvideo",
    )
    assert values["redis"] == "redis://cache.internal:6380/2"
    assert values["broker"] == "redis://cache.internal:6380/2"


def test_embedded_redis_socket_becomes_a_kombu_socket_url():
    values = settings_json(REDIS_URL="unix:///srv/redis/redis.sock?db=3")
    assert values["broker"] == "redis+socket:///srv/redis/redis.sock?virtual_host=3"


def test_service_urls_media_hosts_and_limits_come_from_env():
    values = settings_json(
        EMBEDDER_URL="http://gpu-box:8100",
        MEDIA_ROOT="/data/media",
        ALLOWED_HOSTS="video.example.com, www.video.example.com",
        MAX_UPLOAD_BYTES="1048576",
        MAX_VIDEO_DURATION_SECONDS="60",
    )
    assert values["embedder"] == "http://gpu-box:8100"
    assert values["media_root"] == "/data/media"
    assert values["hosts"] == ["video.example.com", "www.video.example.com"]
    assert values["max_upload"] == 1048576
    assert values["max_duration"] == 60


def test_defaults_when_nothing_is_set():
    values = settings_json(
        EMBEDDER_URL=None, MEDIA_ROOT=None, ALLOWED_HOSTS=None, MAX_UPLOAD_BYTES=None
    )
    assert values["embedder"] == "http://127.0.0.1:8100"
    assert values["media_root"].endswith("var/media")
    assert values["hosts"] == ["127.0.0.1", "localhost"]
    assert values["max_upload"] == 200 * 1024 * 1024


def test_refuses_to_start_with_default_secret_key_when_debug_is_off():
    result = load_settings(SECRET_KEY=None, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is the built-in development key while DEBUG is off" in result.stderr


def test_default_secret_key_is_allowed_in_debug():
    assert settings_json(SECRET_KEY=None, DEBUG="1")["debug"] is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAX_UPLOAD_BYTES", "lots", "MAX_UPLOAD_BYTES='lots' is not an integer"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
    ],
)
def test_malformed_values_name_the_variable(name, value, message):
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_database_connections_come_from_a_pool_unless_turned_off():
    pooled = settings_json(DATABASE_URL="postgresql://app@db.internal/shortvideo")
    assert pooled["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10}
    assert pooled["conn_max_age"] == 0  # Django refuses persistent connections with a pool
    sized = settings_json(DATABASE_URL="postgresql://app@db.internal/x", DB_POOL_MAX="4")
    assert sized["pool"]["max_size"] == 4
    unpooled = settings_json(
        DATABASE_URL="postgresql://app@db.internal/x", DB_POOL_MAX="0", DB_CONN_MAX_AGE="30"
    )
    assert unpooled["pool"] is None and unpooled["conn_max_age"] == 30


STORAGE_DUMP = (
    "import json, django; from django.conf import settings; django.setup();"
    "o = settings.STORAGES['default']['OPTIONS'];"
    "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'],"
    " 'endpoint': o.get('endpoint_url'), 'bucket': o.get('bucket_name'),"
    " 'region': o.get('region_name'), 'location': o.get('location'),"
    " 'style': o.get('addressing_style'), 'key': o.get('access_key'),"
    " 'delivery': settings.MEDIA_DELIVERY, 'expire': o.get('querystring_expire')}))"
)


def storage_settings(**overrides: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tiktok.settings"}
    for name in [n for n in env if n.startswith("S3_")]:
        env.pop(name)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", STORAGE_DUMP],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_s3_compatible_store_is_used_as_given():
    result = storage_settings(
        S3_ENDPOINT_URL="https://acct.r2.cloudflarestorage.com",
        S3_BUCKET="videos",
        S3_ACCESS_KEY_ID="AKIDEXAMPLE",
        S3_SECRET_ACCESS_KEY="secret",
        S3_REGION="auto",
        S3_LOCATION="prod",
        MEDIA_DELIVERY="redirect",
        MEDIA_SIGNED_URL_SECONDS="120",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "backend": "tiktok.storage.S3MediaStorage",
        "endpoint": "https://acct.r2.cloudflarestorage.com",
        "bucket": "videos",
        "region": "auto",
        "location": "prod",
        "style": "path",
        "key": "AKIDEXAMPLE",
        "delivery": "redirect",
        "expire": 120,
    }


def test_a_bucket_alone_means_aws_s3_with_the_default_credential_chain():
    result = storage_settings(S3_BUCKET="videos", S3_ADDRESSING_STYLE="virtual")
    assert result.returncode == 0, result.stderr[-2000:]
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert (values["endpoint"], values["bucket"], values["key"]) == (None, "videos", None)
    assert values["style"] == "virtual"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND='ftp': use s3 or filesystem"),
        ({"MEDIA_DELIVERY": "cdn"}, "MEDIA_DELIVERY='cdn': use proxy or redirect"),
        (
            {"STORAGE_BACKEND": "filesystem", "MEDIA_DELIVERY": "redirect"},
            "MEDIA_DELIVERY=redirect needs STORAGE_BACKEND=s3",
        ),
        ({"S3_ENDPOINT_URL": "http://minio:9000"}, "S3_BUCKET is not"),
        ({"HNSW_ITERATIVE_SCAN": "sometimes"}, "HNSW_ITERATIVE_SCAN='sometimes'"),
    ],
)
def test_storage_and_index_settings_refuse_what_they_cannot_do(overrides, message):
    result = storage_settings(**overrides)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ("DATABASE_URL", "DATABASE_URL is not set and DEBUG is off"),
        ("REDIS_URL", "REDIS_URL is not set and DEBUG is off"),
        ("S3_BUCKET", "S3_ENDPOINT_URL or S3_BUCKET is not set and DEBUG is off"),
    ],
)
def test_production_settings_refuse_to_start_an_embedded_server(unset: str, named: str):
    # A production process missing one of these ran on a server of its own inside the
    # container and lost what it stored with the container.
    configured = {
        "DATABASE_URL": "postgresql://app:secret@db.internal:6543/shortvideo",
        "REDIS_URL": "redis://cache.internal:6380/2",
        "S3_BUCKET": "media",
        "S3_ENDPOINT_URL": "",
        "STORAGE_BACKEND": "s3",
    }
    configured[unset] = None
    result = load_settings(**configured, DEBUG="0", EMBEDDED_SERVICES=None)
    assert result.returncode != 0
    assert named in result.stderr
    # Asked for (the test suite, a one-machine trial) it starts as before.
    assert settings_json(**configured, DEBUG="0", EMBEDDED_SERVICES="1")["debug"] is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # A period of 0 or less made Celery beat send its task nonstop (6,000 messages in 10 s).
        ({"TAKEOUT_SWEEP_SECONDS": "0"}, "TAKEOUT_SWEEP_SECONDS='0' is below its minimum, 1"),
        ({"TRENDING_REFRESH_SECONDS": "-60"}, "TRENDING_REFRESH_SECONDS='-60' is below"),
        ({"PIPELINE_SWEEP_SECONDS": "0"}, "PIPELINE_SWEEP_SECONDS='0' is below its minimum"),
        # 0 hid anything at its first report, from any account.
        ({"MODERATION_AUTO_HIDE_REPORTS": "0"}, "MODERATION_AUTO_HIDE_REPORTS='0' is below"),
        # These answered every feed request with a 500 or a 400.
        ({"FEED_PAGE_LOCK_SECONDS": "0"}, "FEED_PAGE_LOCK_SECONDS='0' is below its minimum"),
        ({"FEED_PAGE_SIZE_DEFAULT": "0"}, "FEED_PAGE_SIZE_DEFAULT='0' is below its minimum"),
        ({"FEED_PAGE_SIZE_DEFAULT": "80"}, "FEED_PAGE_SIZE_DEFAULT='80' is above its maximum, 50"),
        ({"S3_READ_TIMEOUT_SECONDS": "0"}, "S3_READ_TIMEOUT_SECONDS='0' is below its minimum"),
        ({"EMBEDDER_TIMEOUT_SECONDS": "nan"}, "EMBEDDER_TIMEOUT_SECONDS='nan' is not a finite"),
        # DRF parses the rates on each request: these answered every API call with 500, and a
        # month was read as a minute.
        ({"THROTTLE_ANON": "600 per minute"}, "THROTTLE_ANON='600 per minute' is not a rate"),
        ({"THROTTLE_USER": "600/week"}, "THROTTLE_USER='600/week' is not a rate"),
        ({"THROTTLE_LIKES": "1200"}, "THROTTLE_LIKES='1200' is not a rate"),
        ({"THROTTLE_UPLOADS": "30/month"}, "THROTTLE_UPLOADS='30/month' is not a rate"),
        ({"THROTTLE_CHALLENGES": "-1/hour"}, "THROTTLE_CHALLENGES='-1/hour' is not a rate"),
        # A typo failed every upload as "cannot transcode the file".
        ({"TRANSCODE_X264_PRESET": "veryfst"}, "TRANSCODE_X264_PRESET='veryfst' is not an x264"),
        # Reset and verification links in mail were not links.
        ({"SITE_URL": "reels.example.org"}, "SITE_URL='reels.example.org' is not a URL"),
        ({"SITE_URL": "https://reels.example.org/app"}, "want scheme and host only, no path"),
        # These started and failed on requests (500) or as an endless outage.
        ({"REDIS_URL": "cache.internal:6379"}, "REDIS_URL='cache.internal:6379' is not a URL"),
        ({"EMBEDDER_URL": "gpu-host:8100"}, "EMBEDDER_URL='gpu-host:8100' is not a URL"),
        ({"S3_ENDPOINT_URL": "objects.internal:8333"}, "S3_ENDPOINT_URL='objects.internal"),
        ({"DATABASE_URL": "mysql://app@db/x"}, "DATABASE_URL is not a PostgreSQL URL"),
        ({"DATABASE_URL": "postgres://app@db:port/x"}, "DATABASE_URL is not a database URL"),
        ({"SECRET_KEY": " "}, "SECRET_KEY is empty"),
        # Every request, health included, answered 400.
        ({"ALLOWED_HOSTS": "https://reels.example.org"}, "'https://reels.example.org' is not a"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL='VERBOSE' is not a level"),
    ],
)
def test_values_that_would_fail_later_are_refused_at_start_naming_the_variable(
    overrides: dict, message: str
) -> None:
    result = load_settings(DEBUG="1", **overrides)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert message in last, last


def test_a_refused_url_does_not_print_its_password() -> None:
    for name, value in (
        ("REDIS_URL", "redis://:hunter2@cache.internal:port"),
        # unencoded, as `openssl rand -base64` makes them: the parser reads "Zx9" as the port
        ("REDIS_URL", "redis://:Zx9/hunter2+3@cache.internal:6379/0"),
        ("DATABASE_URL", "mysql://app:hunter2@db.internal/app"),
    ):
        result = load_settings(DEBUG="1", **{name: value})
        assert result.returncode != 0 and f"{name}" in result.stderr
        assert "hunter2" not in result.stderr and "Zx9" not in result.stderr


def test_lenient_spellings_are_read_as_meant() -> None:
    dump = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.LOGGING['root']['level'], settings.THROTTLE_RATES['anon'],"
        " settings.THROTTLE_RATES['uploads'], settings.THROTTLE_RATES['likes'], settings.SITE_URL,"
        " settings.DATABASES['default']['OPTIONS']['connect_timeout'])"
    )
    result = load_settings(
        dump,
        DEBUG="1",
        LOG_LEVEL="warn",
        THROTTLE_ANON=" 0100/hour ",
        THROTTLE_UPLOADS="30/hours",  # DRF reads the first letter: plurals work there
        THROTTLE_LIKES="0/min",  # a scope turned off
        SITE_URL="https://reels.example.org/",
        DATABASE_URL="postgresql://app@db.internal/app?connect_timeout=3",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "WARN",
        "100/hour",
        "30/hours",
        "0/min",
        "https://reels.example.org",
        "3",
    ]


def test_a_database_that_never_answers_is_given_up_on_after_the_connect_timeout() -> None:
    """libpq waits forever for a server that accepts the connection and says nothing (a hung
    PostgreSQL, a dropped route): the settings bound it."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    try:
        connect = (
            "import django; django.setup(); from django.db import connection;"
            "connection.ensure_connection()"
        )
        result = load_settings(
            connect,
            DEBUG="1",
            DATABASE_URL=f"postgresql://app:x@127.0.0.1:{server.getsockname()[1]}/app",
            DB_POOL_MAX="0",
            DB_CONNECT_TIMEOUT_SECONDS="1",
        )
    finally:
        server.close()
    assert result.returncode != 0
    assert "timeout expired" in result.stderr.strip().splitlines()[-1]
