"""Facts from the text of articles: the spaCy pipeline (:mod:`kg.extract.extractor`) and one
module per fact kind. Importing this package does not import spaCy."""


class PipelineError(RuntimeError):
    """spaCy could not run: the pipeline does not load, or (in a side process) it failed."""
