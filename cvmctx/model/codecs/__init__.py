"""Guest-typed values: each codec knows the exact text a plugin reads and refuses what it
misreads (core: the contract; one module per kind of value). Imports guest and the bottom."""
