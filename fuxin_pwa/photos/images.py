"""What Pillow does for photos: prove the bytes are an image, drop GPS where the rule says
so, make a small thumbnail. The Content-Type a device sends is a claim; these bytes are
the evidence.

Pixels, not bytes, are what decoding costs: a 113 KB PNG of 5400×5400 is 117 MB once
decoded, and each full-size copy made on the way to a thumbnail costs as much again. So the
size the header claims is checked before anything is decoded, Pillow's own bomb limit holds
for the whole process, and an accepted photo is decoded once, into one full-size image at
most (a JPEG kept as sent is decoded at a fraction of its size)."""
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, JpegImagePlugin

# Pillow format → the content type stored and served. Nothing else is accepted: an SVG or
# a GIF could carry script or animation bombs, a HEIC would not show in most browsers. A
# JPEG carrying a second picture (MPO, from some phones) is opened by JPEG's opener.
FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
OPENERS = ["JPEG", "PNG", "WEBP"]
JPEG_FORMATS = ("JPEG", "MPO")
# The phone scales every photo to at most 1600 px on its long side; these bounds are
# generous beyond that and still keep one decoded photo under 70 MB (config.py sets them).
DEFAULT_MAX_PIXELS = 4096 * 4096
DEFAULT_MAX_SIDE = 4096
GPS_IFD = 0x8825
THUMB_BOX = (320, 320)
# Modes Pillow reduces without first converting the whole picture (RGBA and LA go through a
# full-size premultiplied copy; 1, P and I;16 cannot be reduced at all).
REDUCIBLE = {"L", "RGB", "CMYK", "I", "F"}


class NotAnImage(ValueError):
    """The bytes are not a JPEG, PNG or WebP Pillow can read whole."""


class TooLarge(ValueError):
    """More pixels than any photo a phone sends: refused from the header, never decoded."""


@dataclass
class Prepared:
    content_type: str
    width: int
    height: int
    data: bytes  # what is stored: the upload itself, or a copy without location
    location_stripped: bool
    thumbnail: bytes | None


def limit_decoding(max_pixels: int) -> None:
    """Pillow's bomb check for every image this process opens, photo or not: past
    `max_pixels` Image.open warns (prepare() turns the warning into a refusal), past twice
    that it raises DecompressionBombError, so no code path can decode a bomb."""
    Image.MAX_IMAGE_PIXELS = max_pixels


limit_decoding(DEFAULT_MAX_PIXELS)  # until an app sets its own (photos/__init__.py)


def prepare(data: bytes, strip_location: bool, max_pixels: int = DEFAULT_MAX_PIXELS,
            max_side: int = DEFAULT_MAX_SIDE) -> Prepared:
    """Check `data` is a whole image within the bounds; return what to store and its
    thumbnail. TooLarge or NotAnImage otherwise."""
    # The warning as an error is belt and braces: the filters are process-wide, so with
    # several uploads at once one may run without it; the header check below holds anyway.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open_checked(data, max_pixels, max_side)
        try:
            return _prepare(image, data, strip_location)
        finally:
            image.close()


def _open_checked(data: bytes, max_pixels: int, max_side: int) -> Image.Image:
    """The image opened (its header read, nothing decoded) once its size is within bounds
    and its structure verified."""
    try:
        with Image.open(io.BytesIO(data), formats=OPENERS) as probe:
            _check_size(probe.size, max_pixels, max_side)
            probe.verify()  # structure and checksums, without decoding
        # verify() leaves the image unusable; open a fresh one to decode.
        return Image.open(io.BytesIO(data), formats=OPENERS)
    except (NotAnImage, TooLarge):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooLarge(str(error)) from error
    except Exception as error:  # Pillow raises many kinds on hostile or broken input
        raise NotAnImage(str(error)) from error


def _check_size(size: tuple[int, int], max_pixels: int, max_side: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise NotAnImage(f"no pixels: {width}×{height}")
    if width * height > max_pixels or max(width, height) > max_side:
        raise TooLarge(f"{width}×{height}")


def _prepare(image: Image.Image, data: bytes, strip_location: bool) -> Prepared:
    content_type = FORMATS.get(image.format or "")
    if content_type is None:
        raise NotAnImage(f"format {image.format}")
    width, height = image.size
    try:
        if not strip_location and image.format in JPEG_FORMATS:
            # Kept as sent, the full-size pixels serve only the thumbnail: libjpeg decodes
            # at 1/2 to 1/8 scale instead, still reading every byte of the file.
            image.draft(None, THUMB_BOX)
        # Decoded to the last byte, so a file cut off in transit is refused instead of
        # stored as half a picture.
        image.load()
    except Exception as error:
        raise NotAnImage(str(error)) from error
    stored, stripped = data, False
    if strip_location and _has_location(image):
        try:
            stored, stripped = _without_location(image), True
        except Exception as error:  # never stored with a position it should not have
            raise NotAnImage(f"cannot remove location: {error}") from error
    return Prepared(content_type, width, height, stored, stripped, _thumbnail(image))


def _has_location(image: Image.Image) -> bool:
    # XMP may repeat the position (exif:GPSLatitude), so an XMP packet counts as location.
    if image.info.get("xmp"):
        return True
    try:
        exif = image.getexif()
    except Exception:
        exif = None
    # EXIF that Pillow cannot read (an error, or nothing out of a packet that is there) may
    # still hold a position for another reader: all of it is dropped.
    return exif is None or GPS_IFD in exif or (not len(exif) and bool(image.info.get("exif")))


def _without_location(image: Image.Image) -> bytes:
    """The same picture with the EXIF GPS block and any XMP packet removed; every other EXIF
    tag (orientation, time, camera) stays, unless Pillow cannot read them. JPEG keeps its own quantisation tables and
    subsampling, so the re-encoding loses next to nothing; an MPO keeps only its first
    picture (the others may carry their own position)."""
    try:
        exif = image.getexif()
        exif.pop(GPS_IFD, None)
    except Exception:  # unreadable: none of it is kept
        exif = Image.Exif()
    params = {}
    if len(exif):
        params["exif"] = exif
    for key in ("icc_profile", "dpi", "transparency"):
        if key in image.info:
            params[key] = image.info[key]
    save_as = "JPEG" if image.format in JPEG_FORMATS else image.format
    if save_as == "JPEG":
        # What quality="keep" does, which Pillow allows for a plain JPEG only.
        params.update(qtables=image.quantization, subsampling=JpegImagePlugin.get_sampling(image))
    elif image.format == "WEBP":
        params.update(quality=90)
    out = io.BytesIO()
    image.save(out, format=save_as, **params)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes | None:
    """A small JPEG for lists (no EXIF at all, so never a location); None if it fails, and
    the list then shows the photo itself. Every step after the first works on a picture
    at most a few times the thumbnail's size."""
    try:
        thumb = ImageOps.exif_transpose(_shrunk(image))
        if thumb.mode in ("RGBA", "LA", "P", "PA"):
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


def _shrunk(image: Image.Image) -> Image.Image:
    """The picture cut by a whole factor to between two and four times the thumbnail's
    size, without a second full-size image on the way. Where Pillow cannot reduce a mode
    directly, every factor-th pixel is taken: the thumbnail's own filter smooths it after."""
    factor = max(image.width // (2 * THUMB_BOX[0]), image.height // (2 * THUMB_BOX[1]), 1)
    if factor == 1:
        return image
    if image.mode in REDUCIBLE:
        return image.reduce(factor)
    size = (-(-image.width // factor), -(-image.height // factor))
    return image.resize(size, Image.Resampling.NEAREST)


def square_jpeg(data: bytes, side: int = 240, quality: int = 80, max_pixels: int = DEFAULT_MAX_PIXELS,
                max_side: int = DEFAULT_MAX_SIDE) -> bytes:
    """A portrait: `data` checked as prepare() checks it (TooLarge or NotAnImage), turned
    upright, cropped to its centre square and re-encoded as a small JPEG without EXIF, so
    nothing of the original file (location, camera) is kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open_checked(data, max_pixels, max_side)
        try:
            try:
                image.draft("RGB", (side * 2, side * 2))  # a JPEG decodes at a fraction of its size
                image.load()
            except Exception as error:
                raise NotAnImage(str(error)) from error
            portrait = ImageOps.exif_transpose(image)
            if portrait.mode in ("RGBA", "LA", "P", "PA"):
                portrait = portrait.convert("RGBA")
                background = Image.new("RGB", portrait.size, "white")
                background.paste(portrait, mask=portrait.getchannel("A"))
                portrait = background
            elif portrait.mode != "RGB":
                portrait = portrait.convert("RGB")
            portrait = ImageOps.fit(portrait, (side, side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            portrait.save(out, format="JPEG", quality=quality, optimize=True)
            return out.getvalue()
        finally:
            image.close()
