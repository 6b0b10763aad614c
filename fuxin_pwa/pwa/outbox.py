"""The outbox page: what this device still has to send."""
