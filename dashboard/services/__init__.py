"""Every write of the dashboard: keyword-only, actor first, in a transaction, audited."""
