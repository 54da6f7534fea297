"""Real media for the tests, made with ffmpeg at test time: tiny clips in
several containers and codecs, with audio and subtitle tracks, HDR
metadata, chapters and embedded covers. Each kind is encoded once per test
run and copied (a copy has its own inode, as a real file would)."""
import os
import shutil
import subprocess
import tempfile

_CACHE = None

CHAPTERS = """;FFMETADATA1
title=The Long Book
artist=Ada Author
album=The Long Book
composer=Nora Narrator
genre=Audiobook

[CHAPTER]
TIMEBASE=1/1000
START=0
END=500
title=Opening

[CHAPTER]
TIMEBASE=1/1000
START=500
END=1000
title=Closing
"""

SRT = "1\n00:00:00,000 --> 00:00:00,900\nHello <b>there</b>\n\n2\n00:00:00,900 --> 00:00:01,000\nBye\n"

VIDEO = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=24:duration=1"]
AUDIO = ["-f", "lavfi", "-i", "sine=f=440:d=1:sample_rate=48000"]

# name -> ffmpeg arguments after the inputs (inputs: 0 video, 1 audio, 2
# second audio, 3 subtitles, 4 cover, 5 chapters).
KINDS = {
    "h264.mp4": ["-map", "0:v", "-map", "1:a", "-map_chapters", "5", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-metadata:s:a:0", "language=eng"],
    "hdr10.mkv": ["-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3", "-c:v", "libx265", "-x265-params",
                  "log-level=error", "-pix_fmt", "yuv420p10le", "-color_trc", "smpte2084", "-color_primaries",
                  "bt2020", "-colorspace", "bt2020nc", "-c:a:0", "ac3", "-ac:a:0", "6", "-c:a:1", "aac",
                  "-c:s", "srt", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre",
                  "-metadata:s:s:0", "language=eng", "-disposition:s:0", "forced", "-disposition:a:0", "default"],
    "hlg.mkv": ["-map", "0:v", "-map", "1:a", "-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt",
                "yuv420p10le", "-color_trc", "arib-std-b67", "-color_primaries", "bt2020", "-colorspace",
                "bt2020nc", "-c:a", "aac"],
    "vp9.webm": ["-map", "0:v", "-map", "1:a", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                 "-c:a", "libopus"],
    "mpeg2.ts": ["-map", "0:v", "-map", "1:a", "-c:v", "mpeg2video", "-c:a", "mp2"],
    "mpeg4.avi": ["-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-c:a", "libmp3lame"],
    "book.m4b": ["-map", "1:a", "-map", "4", "-map_chapters", "5", "-map_metadata", "5", "-c:a", "aac",
                 "-c:v", "mjpeg", "-disposition:v:0", "attached_pic", "-f", "mp4"],
    "part.mp3": ["-map", "1:a", "-map_metadata", "5", "-c:a", "libmp3lame"],
}


def _make(dir_, name):
    out = os.path.join(dir_, name)
    inputs = VIDEO + AUDIO + ["-f", "lavfi", "-i", "sine=f=660:d=1", "-i", os.path.join(dir_, "sub.srt"),
                              "-i", os.path.join(dir_, "cover.jpg"), "-i", os.path.join(dir_, "chapters.txt")]
    subprocess.run(["ffmpeg", "-v", "error", "-y"] + inputs + KINDS[name] + [out], check=True,
                   capture_output=True, timeout=120)
    return out


def cache():
    """The directory holding one file of every kind."""
    global _CACHE
    if _CACHE:
        return _CACHE
    d = tempfile.mkdtemp(prefix="mq-media-")
    with open(os.path.join(d, "chapters.txt"), "w") as f:
        f.write(CHAPTERS)
    with open(os.path.join(d, "sub.srt"), "w") as f:
        f.write(SRT)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x64:d=1",
                    "-frames:v", "1", os.path.join(d, "cover.jpg")], check=True, capture_output=True)
    for name in KINDS:
        _make(d, name)
    _CACHE = d
    return d


def put(root, rel, kind, old=True):
    """Copies a clip of `kind` to root/rel (folders made). With old, its
    time is set back a minute, so the scan does not take it for a file
    still being written."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    src = os.path.join(cache(), kind)
    shutil.copyfile(src, path)
    if old:
        t = os.stat(path).st_mtime - 60
        os.utime(path, (t, t))
    return path


def text(root, rel, content, old=True):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)
    if old:
        t = os.stat(path).st_mtime - 60
        os.utime(path, (t, t))
    return path


OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>Dune</dc:title>
    <dc:creator opf:role="aut">Frank Herbert</dc:creator>
    <dc:creator opf:role="ill">Someone Else</dc:creator>
    <dc:language>en</dc:language>
    <dc:publisher>Chilton Books</dc:publisher>
    <dc:identifier id="id">urn:isbn:978-0-441-01359-3</dc:identifier>
    <dc:date>1965-08-01</dc:date>
    <meta name="calibre:series" content="Dune Chronicles"/>
    <meta name="calibre:series_index" content="1"/>
    <meta name="cover" content="cover-img"/>
  </metadata>
  <manifest>
    <item id="cover-img" href="images/cover.jpg" media-type="image/jpeg"/>
    <item id="ch1" href="ch1.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
</package>
"""

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def epub(root, rel, opf=OPF, old=True):
    """An EPUB with a package document and a cover (the 64x64 red one)."""
    import zipfile
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        z.write(os.path.join(cache(), "cover.jpg"), "OEBPS/images/cover.jpg")
        z.writestr("OEBPS/ch1.xhtml", "<html><body><p>A beginning is the time...</p></body></html>")
    if old:
        t = os.stat(path).st_mtime - 60
        os.utime(path, (t, t))
    return path


def cbz(root, rel, old=True):
    import zipfile
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.write(os.path.join(cache(), "cover.jpg"), "page-002.jpg")
        z.write(os.path.join(cache(), "cover.jpg"), "page-001.jpg")
        z.writestr("ComicInfo.xml", "<ComicInfo/>")
    if old:
        t = os.stat(path).st_mtime - 60
        os.utime(path, (t, t))
    return path
