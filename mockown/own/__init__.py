"""The Own (OwnBackup) API: API tokens and the auth host, regional services, backups, jobs, GDPR, events, seeding."""
