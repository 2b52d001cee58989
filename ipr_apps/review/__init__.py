"""The customs reviewer's side: the approval queue."""
