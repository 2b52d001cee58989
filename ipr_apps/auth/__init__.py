"""Sign-in, registration, profile, organisation and API-token pages."""
