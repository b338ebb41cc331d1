"""backoffice: the jobs and the CLI over the regional workbooks."""

__version__ = "0.1.0"
