"""Detention cases at the border: officers' and holders' pages."""
