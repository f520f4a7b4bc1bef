EC2_USER_DATA="W2FtaWNvbmZpZ10KcGx1Z2lucyA9IGNlcm52bQpbY2VybnZtXQpzaGVsbCA9IC9iaW4vYmFzaApyZXBvc2l0b3JpZXMgPSBhdGxhcyxjbXMK"; export ONE_CONTEXT_PATH=/var/lib/amiconfig # both on one line
A=1 B=2; readonly C=3 # shell reads all of these
