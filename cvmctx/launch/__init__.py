"""Starting machines with what cvmctx built: EC2-compatible clouds (boto3) and libvirt."""
