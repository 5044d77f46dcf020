"""The contract suite: checks any backend (mockown, another mock, the real services) against the contracts."""
