"""Excel exports of the dashboards, at once and in the background."""
