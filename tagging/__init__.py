"""The operator-curated tag taxonomy and automatic tagging of videos against it."""
