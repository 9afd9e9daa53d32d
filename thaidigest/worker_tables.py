"""Imported by the fork server of an import's workers, and by nothing else: builds the
tables the workers prepare articles with, once, before the first worker starts.

With the packaged model (see :attr:`~thaidigest.pipeline.ArticlePreparer.preload`), every
worker, a fork of the server, then starts with the packaged tables built, in memory the
workers share until they write to it, rather than building them on its first batch: the
rules, the model and the partner tables, the model's word index and PyThaiNLP's
dictionary for its word stage, the largest (their cost: docs/measurements.md). A user's
rules or partners file extends the packaged tables, which the model reads unextended:
each worker builds the user's on its first batch, beside those it shares.

The dictionary is built even if no article of the import is read by words (some 3 Thai
articles in 1,000 are): only an import of more than one batch starts workers, and one
batch of Thai articles holds one such article in most cases; an import none of whose
articles is read by words starts its workers later by the dictionary's build.
"""

from contextlib import suppress

from thaidigest.pipeline import ArticlePreparer

# The fork server survives only an ImportError of what it preloads, and every worker is a
# fork of it: a table that cannot be built here is left to each worker, which meets the
# error with the article that needs it, as it did before.
with suppress(Exception):
    ArticlePreparer().load_tables()
