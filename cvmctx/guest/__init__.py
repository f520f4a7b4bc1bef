"""How the guest reads bytes (bottom of the stack): the layers it takes off (base64, gzip), the INI
reader, MIME, the script runner's replay, context.sh. Imports only the bottom modules and itself."""
