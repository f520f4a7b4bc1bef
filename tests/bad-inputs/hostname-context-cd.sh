EC2_USER_DATA="W2FtaWNvbmZpZ10KcGx1Z2lucyA9IGhvc3RuYW1lCg=="
ONE_CONTEXT_PATH="/var/lib/amiconfig"
