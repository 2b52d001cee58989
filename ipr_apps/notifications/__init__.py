"""Every signed-in user's notification list, and the unread badge in the navigation bar."""
