"""The supervision models, one module a subject; each is imported here so Django finds it."""
