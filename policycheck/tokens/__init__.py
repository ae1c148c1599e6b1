"""Access tokens: reading them, verifying them, and reading permissions out of their claims."""
