"""What Pillow does for photos: prove the bytes are an image, drop GPS where the rule says
so, make a small thumbnail. The Content-Type a device sends is a claim; these bytes are
the evidence."""
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

# Pillow format → the content type stored and served. Nothing else is accepted: an SVG or
# a GIF could carry script or animation bombs, a HEIC would not show in most browsers.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A phone scales a photo down before sending (a 12 MP original is about 4000×3000); more
# pixels than this in at most 5 MiB is a decompression bomb, not a photo.
MAX_PIXELS = 30_000_000
GPS_IFD = 0x8825
THUMB_BOX = (320, 320)


class NotAnImage(ValueError):
    """The bytes are not a JPEG, PNG or WebP Pillow can read whole."""


@dataclass
class Prepared:
    content_type: str
    width: int
    height: int
    data: bytes  # what is stored: the upload itself, or a copy without location
    location_stripped: bool
    thumbnail: bytes | None


def prepare(data: bytes, strip_location: bool) -> Prepared:
    """Check `data` is a whole image; return what to store and its thumbnail."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise NotAnImage("too many pixels")
                probe.verify()  # structure and checksums, without decoding
            # verify() leaves the image unusable; decode a fresh one in full, so a file
            # cut off in transit is refused instead of stored as half a picture.
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            image.load()
    except NotAnImage:
        raise
    except Exception as error:  # Pillow raises many kinds on hostile or broken input
        raise NotAnImage(str(error)) from error
    try:
        content_type = FORMATS[image.format]
        stored, stripped = data, False
        if strip_location and _has_location(image):
            stored, stripped = _without_location(image), True
        return Prepared(content_type, image.width, image.height, stored, stripped, _thumbnail(image))
    finally:
        image.close()


def _has_location(image: Image.Image) -> bool:
    # XMP may repeat the position (exif:GPSLatitude), so an XMP packet counts as location.
    return GPS_IFD in image.getexif() or bool(image.info.get("xmp"))


def _without_location(image: Image.Image) -> bytes:
    """The same picture with the EXIF GPS block and any XMP packet removed; every other EXIF
    tag (orientation, time, camera) stays. JPEG keeps its own quantisation tables, so the
    re-encoding loses next to nothing."""
    exif = image.getexif()
    exif.pop(GPS_IFD, None)
    params = {}
    if len(exif):
        params["exif"] = exif
    for key in ("icc_profile", "dpi", "transparency"):
        if key in image.info:
            params[key] = image.info[key]
    if image.format == "JPEG":
        params.update(quality="keep", subsampling="keep")
    elif image.format == "WEBP":
        params.update(quality=90)
    out = io.BytesIO()
    image.save(out, format=image.format, **params)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes | None:
    """A small JPEG for lists (no EXIF at all, so never a location); None if it fails, and
    the list then shows the photo itself."""
    try:
        thumb = ImageOps.exif_transpose(image)
        if thumb.mode in ("RGBA", "LA", "P"):
            thumb = thumb.convert("RGBA")
            background = Image.new("RGB", thumb.size, "white")
            background.paste(thumb, mask=thumb.getchannel("A"))
            thumb = background
        elif thumb.mode != "RGB":
            thumb = thumb.convert("RGB")
        thumb.thumbnail(THUMB_BOX)
        out = io.BytesIO()
        thumb.save(out, format="JPEG", quality=75, optimize=True)
        return out.getvalue()
    except Exception:  # a thumbnail is a convenience, never a reason to refuse the photo
        return None
