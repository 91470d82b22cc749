"""A local simulator of the Huawei Cloud / Open Telekom Cloud DRS API (see simulator/README.md)."""

from .server import Simulator

__all__ = ["Simulator"]
