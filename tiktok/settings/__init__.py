"""Project settings, split by concern; every value comes from an environment variable."""

from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .database import *  # noqa: F403
from .discover import *  # noqa: F403
from .email import *  # noqa: F403
from .embedder import *  # noqa: F403
from .feed import *  # noqa: F403
from .hashtags import *  # noqa: F403
from .media import *  # noqa: F403
from .moderation import *  # noqa: F403
from .notifications import *  # noqa: F403
from .redis import *  # noqa: F403
from .search import *  # noqa: F403
from .security import *  # noqa: F403
from .sounds import *  # noqa: F403
from .storage import *  # noqa: F403
from .studio import *  # noqa: F403
from .tagging import *  # noqa: F403
from .takeout import *  # noqa: F403
