"""Every write of the registry: keyword-only, actor first, in a transaction, audited."""
