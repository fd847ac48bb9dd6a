"""Console scripts installed with tmo.

Pyramid 2.1 imports pkg_resources, whose deprecation warning says nothing to a person running a
script (setuptools is pinned where it still exists): it is silenced here, before any script
imports Pyramid. ``tmo`` itself imports no part of Pyramid until the web app is made.
"""

import warnings

warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
