from paperwork.errors import ApplicationError

__all__ = ["ApplicationError"]
