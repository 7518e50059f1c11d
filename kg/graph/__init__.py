"""Facts, namespaces, the gazetteer of councils and organisations, facts -> RDF (one named
graph per article, deterministic Turtle and TriG), the ontology and SHACL validation. The
bottom stage: every other stage uses its records and IRIs; it imports none of them."""
