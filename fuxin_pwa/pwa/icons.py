"""The app's icons: a white 福 on the app's red, drawn with Pillow.

Run once with `flask pwa icons` when the emblem changes; the PNGs are committed, so no
server and no build step ever needs a CJK font. The emblem is drawn four times larger and
scaled down (clean edges), then reduced to a small palette: the icons are part of the
offline shell every phone downloads, so each byte counts."""
import os
import shutil
import subprocess

from PIL import Image, ImageDraw, ImageFont

RED = (178, 34, 34, 255)  # #b22222, the top bar's red
WHITE = (255, 255, 255, 255)
GLYPH = "福"
SUPERSAMPLE = 4

# (file name, size in px, full bleed?, glyph height as a share of the size)
# Full-bleed icons are for launchers that cut their own shape: the maskable one keeps the
# glyph inside the 80% safe circle; iOS fills transparent corners with black, so its
# touch icon is full bleed too. The "any" icons carry their own rounded corners.
ICONS = (
    ("icon-192.png", 192, False, 0.62),
    ("icon-512.png", 512, False, 0.62),
    ("icon-maskable-512.png", 512, True, 0.46),
    ("apple-touch-icon.png", 180, True, 0.60),
    ("icon-32.png", 32, False, 0.78),
)

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Bold.ttc",
    "/System/Library/Fonts/Songti.ttc",
)


def find_font() -> str:
    """A bold CJK font file: a known path, else whatever fontconfig offers for Chinese."""
    for path in FONT_CANDIDATES:
        if os.path.exists(path):
            return path
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn:weight=bold"],
                               capture_output=True, text=True, check=False).stdout.strip()
        if found:
            return found
    raise FileNotFoundError("No CJK font found; pass --font (e.g. Noto Serif CJK SC Bold)")


def _simplified_chinese_face(path: str, size: int) -> ImageFont.FreeTypeFont:
    """The SC face of a .ttc collection (its glyph shapes follow mainland standards)."""
    for index in range(12):
        try:
            font = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        if font.getname()[0].endswith(" SC"):
            return font
    return ImageFont.truetype(path, size)


def draw_icon(font_path: str, size: int, full_bleed: bool, glyph_share: float) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if full_bleed:
        draw.rectangle((0, 0, big, big), fill=RED)
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(big * 0.2), fill=RED)
    font = _simplified_chinese_face(font_path, int(big * glyph_share))
    # Centre the glyph's ink, not its line box (CJK fonts leave room above and below).
    left, top, right, bottom = draw.textbbox((0, 0), GLYPH, font=font)
    x = (big - (right - left)) / 2 - left
    y = (big - (bottom - top)) / 2 - top
    draw.text((x, y), GLYPH, font=font, fill=WHITE)
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    # Two colours and their anti-aliased edges: a 32-colour palette looks the same.
    return small.quantize(colors=32, method=Image.Quantize.FASTOCTREE)


def write_icons(folder: str, font_path: str | None = None) -> list[tuple[str, int]]:
    """Write every icon into `folder`; returns (file name, bytes) for each."""
    font_path = font_path or find_font()
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, size, full_bleed, share in ICONS:
        path = os.path.join(folder, name)
        draw_icon(font_path, size, full_bleed, share).save(path, optimize=True)
        written.append((name, os.path.getsize(path)))
    return written
