"""mirror: tells two people when their body language mirrors or matches.

Pipeline stages, one sub-package each:

``mirror.sources``    frames with stream timestamps from video files, webcams and stills
``mirror.landmarks``  two-person pose and face landmarks with stable identities (A, B)
"""

from mirror.errors import MirrorError

__version__ = "0.1.0"

__all__ = ["MirrorError", "__version__"]
