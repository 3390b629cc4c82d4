"""Demo content for `manage.py demo_seed`: real Barcelona places and the registry that lets each
app add its own demo data (see coop.demo.registry)."""
