"""The weekly digest: select a week (pure) -> render Markdown, feeds, pages (pure)
-> write, serve, mail (the only side effects).

Modules, in the order of the data flow: :mod:`digest.select` (with
:mod:`digest.diff`, what changed between two versions), :mod:`digest.markdown`,
:mod:`digest.feeds`, :mod:`digest.archive`, :mod:`digest.publish`,
:mod:`digest.serve`, :mod:`digest.mail`, and the two commands in
:mod:`digest.commands`; :mod:`digest.ours` tells the files a build may replace. A
digest ends with the sites' health
(:mod:`thaidigest.health`, shared with ``thaidigest status``).
"""
