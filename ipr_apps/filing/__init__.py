"""The holder's side: their applications."""
