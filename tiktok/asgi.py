"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

# One BLAS thread per web process: requests are the parallelism, the matrices are small, and
# OpenBLAS's spinning helper threads took CPU from PostgreSQL on the same cores (feed p50
# measured ~15% lower with one thread). Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
django.setup(set_prefix=False)

from tiktok.web.asgi_handler import SyncChainASGIHandler  # noqa: E402 - needs Django set up first

django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from tiktok.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
