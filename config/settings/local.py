"""Settings for a developer's machine and the demo: DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
