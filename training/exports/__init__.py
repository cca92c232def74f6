"""Excel exports of the workforce and training: one module per list."""
