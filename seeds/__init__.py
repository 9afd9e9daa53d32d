"""The seed articles and the fixture site, installed as the package ``thaidigest_seeds``.

Read them with ``importlib.resources.files("thaidigest_seeds")``, which finds this
folder in an editable install and the installed copy in a wheel install.
"""
