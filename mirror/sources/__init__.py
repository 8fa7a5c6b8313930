"""Frame sources: video files, webcams and still images, as one generator interface."""

from mirror.sources.frames import (
    Frame,
    FrameSource,
    ImageSource,
    SourceInfo,
    VideoFileSource,
    WebcamSource,
    list_cameras,
    open_source,
    quiet_opencv,
)

__all__ = [
    "Frame",
    "FrameSource",
    "ImageSource",
    "SourceInfo",
    "VideoFileSource",
    "WebcamSource",
    "list_cameras",
    "open_source",
    "quiet_opencv",
]
