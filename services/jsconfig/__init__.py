"""jsconfig: the configuration the SPA reads at startup, from etcd."""
