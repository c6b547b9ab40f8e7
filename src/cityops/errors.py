"""The exception hierarchy of cityops.

::

    CityopsError                  every error cityops raises on purpose
    ├── ConfigError               a configuration or definition file is wrong
    ├── WorkspaceError            a workspace is missing, incomplete or already exists
    ├── ContractError             data does not fit the canonical data contract
    └── PipelineError             a pipeline step cannot run with what it was given

Messages say what was wrong, where (file, field) and what to do about it; the
CLI prints them without a traceback.
"""

__all__ = ["CityopsError", "ConfigError", "ContractError", "PipelineError", "WorkspaceError"]


class CityopsError(Exception):
    """Base class of every error that cityops raises on purpose."""


class ConfigError(CityopsError):
    """A configuration or definition file is wrong."""


class WorkspaceError(CityopsError):
    """A workspace is missing, incomplete, or already exists."""


class ContractError(CityopsError):
    """Data does not fit the canonical data contract."""


class PipelineError(CityopsError):
    """A pipeline step cannot run with the inputs it was given."""
