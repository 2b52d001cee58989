"""Documents attached to applications: upload, mark image, download, removal."""
