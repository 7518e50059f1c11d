"""Files -> :class:`~kg.graph.facts.Article` records: decoding, news text (head, body,
comments), saved HTML pages, Ofsted report PDFs, dates, near-duplicate stories."""
