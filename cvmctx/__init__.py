"""cvmctx: build and check CernVM contextualization data exactly as the guest reads it."""

__version__ = "0.1.0"
