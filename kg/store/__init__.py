"""The graph as a store: the embedded pyoxigraph store, the read-only SPARQL endpoint, push
to a remote Graph Store, and running the ``queries/*.rq`` files."""
