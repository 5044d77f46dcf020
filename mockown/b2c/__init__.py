"""Salesforce B2C Commerce OAuth: Account Manager, the Business Manager user grant, OCAPI Shop customer JWTs, SLAS."""
