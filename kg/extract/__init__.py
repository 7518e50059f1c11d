"""Facts from the text of articles and reports: loading the spaCy pipeline (:mod:`kg.extract.nlp`),
the extraction stage (:mod:`kg.extract.extractor`), one module per fact kind, Ofsted report
facts (:mod:`kg.extract.reports`), and the trained sentence classifier with its annotations,
training and agreement. Importing this package does not import spaCy."""


class PipelineError(RuntimeError):
    """spaCy could not run: the pipeline does not load, or (in a side process) it failed."""
