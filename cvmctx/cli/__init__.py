"""The command line (top of the stack): parse options, call the library, print, map findings to
exit codes. May import anything below it; nothing imports it. No policy lives here."""
