"""Accounts, sign-in and the social graph (follows, blocks): the bottom of the app stack."""
