"""Profile photos: an upload is redrawn by Pillow as a small square JPEG under a random name
in MEDIA_ROOT; a wrong type, a file over 5 MB, a decompression bomb or a damaged picture is
refused beside the field with nothing stored. Images are generated here, small; the bomb is
a hand-made PNG whose header promises 400 million pixels in a few kilobytes."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pairup.accounts.models import Profile
from pairup.accounts.services import (
    account_delete,
    profile_photo_remove,
    profile_photo_set,
)
from pairup.core import limits
from pairup.core.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a block queues for after commit (a replaced photo's file is deleted then)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def picture(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    mode = "RGBA" if fmt == "PNG" else "RGB"
    image = Image.new(mode, size, (200, 60, 40, 255) if mode == "RGBA" else (200, 60, 40))
    # A different right half, to see which way the picture was turned.
    image.paste((20, 90, 200), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "me.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width × height pixels, all black, compressed to almost nothing."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte, then the row's bits
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row * 500) for _ in range(height // 500))
    body += squeeze.compress(row * (height % 500)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def stored_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_a_photo_is_stored_as_a_small_square_jpeg_under_a_random_name(mentee):
    profile = profile_photo_set(user=mentee, photo=upload(picture(size=(1200, 800)), "me.jpg"))
    assert profile.photo.name.startswith("avatars/") and profile.photo.name.endswith(".jpg")
    assert "me" not in Path(profile.photo.name).stem  # the upload's name is not used
    assert len(Path(profile.photo.name).stem) == 32
    [path] = stored_files()
    with Image.open(path) as stored:
        assert (stored.format, stored.size, stored.mode) == ("JPEG", (256, 256), "RGB")
        assert not stored.getexif()  # no camera, no place


def test_a_transparent_png_is_put_on_white(mentee):
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    profile = profile_photo_set(user=mentee, photo=upload(out.getvalue(), "me.png", "image/png"))
    with Image.open(profile.photo.path) as stored:
        assert stored.getpixel((128, 128)) == (255, 255, 255)


def test_a_phone_photo_is_turned_upright_from_its_exif_orientation(mentee):
    # Stored 400 × 200, red left and blue right, marked "turn 90° clockwise to show": upright
    # it is 200 × 400 with red on top and blue below (unturned, the crop's middle is red).
    exif = Image.Exif()
    exif[0x0112] = 6
    data = picture(size=(400, 200), exif=exif.tobytes())
    profile = profile_photo_set(user=mentee, photo=upload(data))
    with Image.open(profile.photo.path) as stored:
        top, bottom = stored.getpixel((128, 10)), stored.getpixel((128, 245))
    assert top[0] > 150 and bottom[2] > 150


def test_webp_is_accepted(mentee):
    profile = profile_photo_set(user=mentee, photo=upload(picture("WEBP"), "me.webp", "image/webp"))
    assert profile.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"just some text, not a picture", "me.jpg", "image/jpeg"),
        (picture("GIF"), "me.gif", "image/gif"),
        (picture("BMP"), "me.bmp", "image/bmp"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "me.svg",
            "image/svg+xml",
        ),
    ],
    ids=["text-named-jpg", "gif", "bmp", "svg"],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_stored(mentee, data, name, content_type):
    with pytest.raises(ServiceError) as refused:
        profile_photo_set(user=mentee, photo=upload(data, name, content_type))
    assert (refused.value.code, refused.value.field) == ("photo_type", "photo")
    assert "JPEG, PNG or WebP" in refused.value.detail
    assert stored_files() == []
    assert not Profile.objects.get(user=mentee).photo


def test_a_file_over_5_mb_is_refused_before_it_is_read(mentee):
    data = picture() + b"\x00" * (limits.PHOTO_MAX_BYTES + 1)
    with pytest.raises(ServiceError) as refused:
        profile_photo_set(user=mentee, photo=upload(data))
    assert refused.value.code == "photo_too_large"
    assert "the limit is 5 MB" in refused.value.detail
    assert stored_files() == []


def test_a_decompression_bomb_is_refused_from_its_header(mentee):
    data = bomb_png(20_000, 20_000)  # 400 megapixels
    assert len(data) < 200_000
    with pytest.raises(ServiceError) as refused:
        profile_photo_set(user=mentee, photo=upload(data, "bomb.png", "image/png"))
    assert refused.value.code == "photo_too_many_pixels"
    assert stored_files() == []
    assert not Profile.objects.get(user=mentee).photo


def test_a_picture_under_pillows_limit_but_over_ours_is_refused(mentee):
    data = bomb_png(8_000, 6_000)  # 48 megapixels: Pillow would decode it
    assert Image.MAX_IMAGE_PIXELS > 8_000 * 6_000
    with pytest.raises(ServiceError) as refused:
        profile_photo_set(user=mentee, photo=upload(data, "big.png", "image/png"))
    assert refused.value.code == "photo_too_many_pixels"
    assert "8,000 × 6,000" in refused.value.detail
    assert stored_files() == []


def test_a_damaged_picture_is_refused(mentee):
    data = picture(size=(800, 600))
    with pytest.raises(ServiceError) as refused:
        profile_photo_set(user=mentee, photo=upload(data[: len(data) // 3]))
    assert refused.value.code == "photo_unreadable"
    assert stored_files() == []


def test_a_new_photo_replaces_the_old_file(mentee, committed):
    first = profile_photo_set(user=mentee, photo=upload(picture())).photo.name
    with committed():
        second = profile_photo_set(user=mentee, photo=upload(picture("PNG"), "b.png")).photo.name
    assert first != second
    assert [p.name for p in stored_files()] == [Path(second).name]


def test_a_refused_upload_keeps_the_photo_there_was(mentee, committed):
    kept = profile_photo_set(user=mentee, photo=upload(picture())).photo.name
    with committed(), pytest.raises(ServiceError):
        profile_photo_set(user=mentee, photo=upload(b"not a picture"))
    assert Profile.objects.get(user=mentee).photo.name == kept
    assert [p.name for p in stored_files()] == [Path(kept).name]


def test_removing_the_photo_deletes_its_file(mentee, committed):
    profile_photo_set(user=mentee, photo=upload(picture()))
    with committed():
        profile = profile_photo_remove(user=mentee)
    assert not profile.photo
    assert stored_files() == []


def test_deleting_the_account_deletes_the_photo_file(mentee, committed):
    profile_photo_set(user=mentee, photo=upload(picture()))
    with committed():
        account_delete(user=mentee)
    assert stored_files() == []


# --------------------------------------------------------------------------- the pages


def test_profile_page_uploads_a_photo_and_shows_it(client, mentee):
    client.force_login(mentee)
    response = client.post("/profile/photo/", {"photo": upload(picture())})
    assert response.status_code == 302
    profile = Profile.objects.get(user=mentee)
    html = client.get("/profile/").content.decode()
    assert f'src="/media/{profile.photo.name}"' in html
    served = client.get(f"/media/{profile.photo.name}")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_profile_page_shows_a_refused_photo_beside_the_field(client, mentee):
    client.force_login(mentee)
    response = client.post("/profile/photo/", {"photo": upload(b"%PDF-1.7 not a picture")})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_photo_error"' in html and "not a photo we can use" in html
    assert 'aria-describedby="id_photo_error id_photo_help"' in html
    assert stored_files() == []


def test_profile_page_shows_a_bomb_beside_the_field(client, mentee):
    client.force_login(mentee)
    response = client.post(
        "/profile/photo/", {"photo": upload(bomb_png(20_000, 20_000), "x.png", "image/png")}
    )
    assert response.status_code == 422
    assert "too many pixels" in response.content.decode()
    assert stored_files() == []


def test_profile_page_removes_the_photo(client, mentee, committed):
    profile_photo_set(user=mentee, photo=upload(picture()))
    client.force_login(mentee)
    with committed():
        client.post("/profile/photo/", {"remove": "1"})
    assert not Profile.objects.get(user=mentee).photo
    assert stored_files() == []


def test_a_photo_over_5_mb_is_refused_beside_the_field_in_the_guide(client, mentee):
    Profile.objects.filter(user=mentee).update(welcomed_at=None)
    client.force_login(mentee)
    big = upload(picture() + b"\x00" * (limits.PHOTO_MAX_BYTES + 1))
    response = client.post("/welcome/you/", {"display_name": "Sam Mentee", "photo": big})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_photo_error"' in html and "the limit is 5 MB" in html
    assert stored_files() == []
