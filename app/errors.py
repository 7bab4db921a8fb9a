"""What the CLI's exit status says about an error: 2, the command or its input; 1, the run; else a bug."""

from __future__ import annotations


class UsageError(Exception):
    """The command line itself is wrong."""


def exit_status_for(exc: BaseException) -> int | None:
    """Return the exit status of an error the user can act on (2: usage or input, 1: the run), else None."""
    from app.batch import BatchIncomplete
    from app.experiment import ExperimentError
    from app.persistence import PersistenceUnavailable
    from models.caches import CacheUnavailable
    from models.providers import ProviderError
    from state.deployment import DeploymentError
    from state.inputs import InputError
    from state.serde import TamperedStateError
    from state.settings import SettingsError
    from supportdesk import DeskUnavailable

    if isinstance(exc, (UsageError, InputError, SettingsError, DeploymentError, ProviderError)):
        return 2
    ours = (
        TamperedStateError,
        PersistenceUnavailable,
        CacheUnavailable,
        DeskUnavailable,
        BatchIncomplete,
        ExperimentError,
    )
    if isinstance(exc, ours):
        return 1
    return None
