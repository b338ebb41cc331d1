"""The demo workspace: three invented regions with a handful of anomalies planted on purpose."""
from .build import PLANTED, build_demo

__all__ = ["PLANTED", "build_demo"]
