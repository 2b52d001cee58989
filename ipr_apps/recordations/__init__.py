"""Recordations after approval: the holder's list and page, renewal, amendment, cancellation."""
