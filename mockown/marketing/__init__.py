"""Marketing Cloud Engagement OAuth 2.0 (enhanced installed packages): v2/token, v2/authorize, v2/userinfo."""
