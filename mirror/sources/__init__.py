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
from mirror.sources.spec import camera_index, camera_or_file, check_file

__all__ = [
    "Frame",
    "FrameSource",
    "ImageSource",
    "SourceInfo",
    "VideoFileSource",
    "WebcamSource",
    "camera_index",
    "camera_or_file",
    "check_file",
    "list_cameras",
    "open_source",
    "quiet_opencv",
]
