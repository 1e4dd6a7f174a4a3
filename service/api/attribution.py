"""The credit the dataset's licence asks for: "Twitchlore contributors", CC BY 4.0, a link.

data/LICENSE.md states the licence and the name to credit; a test keeps these in step with it.
"""

from __future__ import annotations

NAME = "Twitchlore contributors"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
PROJECT_PATH = "/"
"""Where the project is described (its front page), on this service."""
