EC2_USER_DATA="not base64!"
ONE_CONTEXT_PATH="/var/lib/amiconfig"
