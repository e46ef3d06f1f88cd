"""The NAT high-availability agent: NAT instances elect one of themselves through an etcd
lease or a Consul session lock, and the elected one takes over the private route tables.

A runtime program, imported by nothing but the CLI (`sparkleform nat-agent`).
"""
