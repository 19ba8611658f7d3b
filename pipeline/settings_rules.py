"""What the settings' values must be, shared by the settings (settings.py) and the environment model
(environment.py) without either importing the other's dependencies."""

from __future__ import annotations

PROGRESS_MODES = ("auto", "all", "off")
PROGRESS_ALIASES = {"1": "all", "0": "off", "": "auto"}  # NIANBAO_PROGRESS=1 meant "even off a terminal"
DASK_SCHEMES = ("tcp://", "tls://", "inproc://")
HOST_LIMITS = ("files", "prefect")  # where per-host politeness is kept (lock files, or the Prefect server)


class SettingsError(ValueError):
    """A NIANBAO_* variable holds something nianbao cannot use; the message names each one."""
