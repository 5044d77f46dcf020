"""The Salesforce dialect: OAuth 2.0 / OpenID Connect core, identity, discovery and the REST subset."""
