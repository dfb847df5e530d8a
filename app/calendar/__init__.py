"""ICS feeds (webcal) and the import of the employer's own appointments."""
