"""Risk screening: declaration lines checked against the facts of every active recordation."""
