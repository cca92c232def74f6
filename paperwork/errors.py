class ApplicationError(Exception):
    """A business rule refused the request. The message is shown to the user as it is
    (translated); the API answers 400 with it, pages show it as a form error.

    The house's one application error lives here, at the bottom, so that the paperwork kit
    (a refused upload, an unreadable workbook) raises the same error as every app;
    ``accounts.errors`` offers it under its usual name."""

    def __init__(self, message, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
