EC2_USER_DATA=""
ONE_CONTEXT_PATH="/var/lib/amiconfig"
