"""The statistics dashboard: figures, charts and downloads for admins (read-only for reviewers)."""
