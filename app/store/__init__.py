"""The encrypted local database: keys, envelopes, snapshot, projection, and the store API."""
