"""Pure logic: the data model, legal rules, pay classification and checks. No I/O here."""
