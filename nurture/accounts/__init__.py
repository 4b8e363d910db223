"""The people and keys behind a request: accounts with roles (users), named scoped API keys (keys)."""
