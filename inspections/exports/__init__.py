"""Excel exports of the annual review and enforcement: one module per list."""
