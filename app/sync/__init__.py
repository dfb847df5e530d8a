"""Sync: ops on the wire, membership, invites, the relay server and its client."""
