"""Writes of the profiles app: accounts (registration, tokens, profile edits) in `accounts`,
the social graph (follow, block) in `graph`, and account care: `passwords` (change, reset),
`email_address` (change, verification), `account_deletion`, with their mail built in
`account_mail`, queued by `mail_outbox` and delivered by `mail`."""
