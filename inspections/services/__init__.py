"""Every write of the annual review and enforcement: keyword-only, actor first, in a
transaction, audited, notified."""
