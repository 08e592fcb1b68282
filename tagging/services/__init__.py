"""Writes of the tagging app: taxonomy loading (`taxonomy`), tag vectors (`vectors`), assigning
tags to videos (`assign`)."""
