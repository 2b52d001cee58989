"""Administrator pages: accounts and an overview."""
