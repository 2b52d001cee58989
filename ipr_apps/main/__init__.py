"""Landing page and the role-aware home redirect."""
