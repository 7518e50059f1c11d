"""Graph -> entity projection -> views: the offline pyvis viewer and GraphML, drawn from a
projection assembled article by article on disk."""
