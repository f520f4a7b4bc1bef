"""context.sh as the guest's bash sources it: words, statements, variable state, the variables
HEPiX uses, and the file read and rendered. Imports diagnostics, limits, templating, guest."""
