"""Settings for a developer's machine and the demo: DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# `bootstrap --demo` makes a self-signed demo certificate here when none is configured.
PDF_SEAL_DEMO_DIR = BASE_DIR / "var" / "seal"  # noqa: F405
