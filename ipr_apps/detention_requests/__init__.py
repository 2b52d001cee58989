"""Requests for detention: the holder asks customs to detain an expected consignment."""
