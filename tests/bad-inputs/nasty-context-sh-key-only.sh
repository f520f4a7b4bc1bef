ROOT_PUBKEY=root.pub
ONE_CONTEXT_PATH="/var/lib/amiconfig"
