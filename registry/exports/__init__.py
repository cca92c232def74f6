"""Excel exports of the registry: one module per list."""
