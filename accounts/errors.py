class ApplicationError(Exception):
    """A business rule refused the request. The message is shown to the user as it is
    (translated); the API answers 400 with it, pages show it as a form error."""

    def __init__(self, message, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
