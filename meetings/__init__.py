"""A self-hosted meeting agenda and action-item tool."""

__version__ = "0.1.0"
