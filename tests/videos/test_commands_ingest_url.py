"""manage.py ingest_url against a local HTTP server (never the internet)."""

from __future__ import annotations

import re
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tests.support.media import make_clip, make_webm
from videos.models import Video, VideoStatus

FIXTURE = Path(__file__).parent / "fixtures" / "wsg_thread.html"


@pytest.fixture
def site(tmp_path: Path):  # noqa: ANN201
    """A thread page, its two videos, a slow file and a page without videos."""
    root = tmp_path / "site"
    (root / "files").mkdir(parents=True)
    make_webm(root / "files" / "1700000000001.webm", audio=None)
    make_clip(root / "files" / "1700000000002.mp4", audio=None)
    (root / "files" / "1700000000001s.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "empty.html").write_text("<html><title>Nothing</title><a href='x.jpg'>x</a></html>")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/slow"):
                time.sleep(3)
            if self.path.startswith("/drip-page"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                for _ in range(10_000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
                return
            if self.path.startswith("/drip/"):
                # A byte every 0.2 s: each under any read timeout, the whole never ending.
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.end_headers()
                for _ in range(10_000):
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(0.2)
                return
            if self.path.startswith("/to-private/"):
                # A public page sending the client on to an address inside the network.
                port = self.server.server_address[1]
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.2:{port}/{self.path[12:]}")
                self.end_headers()
                return
            if self.path.startswith("/download.php"):
                # A script handing out a file as bytes, named by Content-Disposition.
                self.send_response(200)
                body = (root / "files" / "1700000000002.mp4").read_bytes()
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header(
                    "Content-Disposition",
                    "attachment; filename=\"clip.mp4\"; filename*=UTF-8''Katze%20springt.mp4",
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path.startswith("/stream/"):
                # A media CDN: no extension in the path, the type in the header.
                self._send((root / "files" / "1700000000002.mp4").read_bytes(), "video/mp4")
                return
            if self.path == "/wsg/thread/5000001":
                body = FIXTURE.read_text().replace("HOST", self.headers["Host"]).encode()
                self._send(body, "text/html; charset=utf-8")
                return
            super().do_GET()

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            return None

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:  # noqa: ANN001
            return None  # the client hanging up on /slow is the point of that test

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


@pytest.fixture
def owner(db):  # noqa: ANN001
    return UserFactory(username="collector")


def _ingest(url: str, *args: str, local: bool = True) -> str:
    """The test site is on this machine: allowed explicitly, as a script ingesting from a local
    page would."""
    out = StringIO()
    flags = ["--allow-private-addresses"] if local else []
    call_command(
        "ingest_url", url, "--user", "collector", *flags, *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def test_thread_page_videos_are_ingested_with_post_text_and_source_url(owner, site):
    base, _ = site
    _ingest(f"{base}/wsg/thread/5000001")
    videos = {v.original_filename: v for v in Video.objects.all()}
    assert set(videos) == {"cat_jump.webm", "kitten.mp4"}
    assert "Cat jumping onto the fridge" in videos["cat_jump.webm"].caption
    assert videos["kitten.mp4"].caption == "kitten meets a dog for the first time"
    assert videos["kitten.mp4"].source_url == f"{base}/files/1700000000002.mp4"


def test_rerun_downloads_nothing_new(owner, site):
    base, _ = site
    _ingest(f"{base}/wsg/thread/5000001")
    output = _ingest(f"{base}/wsg/thread/5000001")
    assert "2 duplicate" in output
    assert Video.objects.count() == 2


def test_a_known_link_whose_video_failed_or_was_cut_short_is_said_and_taken_up(owner, site):  # noqa: ANN001
    # A known URL was "duplicate" whatever its video's state: a failed one could not be retried
    # and one stored by a run that stopped before asking for its processing stayed uploaded.
    base, _ = site
    _ingest(f"{base}/wsg/thread/5000001")
    failed, cut_short = Video.objects.order_by("source_url")
    Video.objects.filter(pk=failed.pk).update(status=VideoStatus.FAILED, failure_reason="tag: x")
    Video.objects.filter(pk=cut_short.pk).update(
        status=VideoStatus.UPLOADED, pipeline_requested_at=None, pipeline_queued_at=None
    )

    with pytest.raises(CommandError, match="1 failed_before, 1 resumed; 1 not ok"):
        _ingest(f"{base}/wsg/thread/5000001")
    assert "1 retried" in _ingest(f"{base}/wsg/thread/5000001", "--retry-failed")
    assert not Video.objects.filter(status__in=[VideoStatus.FAILED, VideoStatus.UPLOADED]).exists()
    assert Video.objects.count() == 2


def test_direct_video_link_works(owner, site):
    base, _ = site
    _ingest(f"{base}/files/1700000000002.mp4")
    video = Video.objects.get()
    assert video.source_url == f"{base}/files/1700000000002.mp4"


def test_a_page_naming_its_video_only_in_structured_data_is_ingested(owner, site):
    base, root = site
    (root / "watch.html").write_text(
        "<html><head><title>Site name</title>"
        "<meta property='og:video' content='https://player.test/embed/1'>"
        "<meta property='og:video:type' content='text/html'>"
        '<script type=\'application/ld+json\'>{"@type": "VideoObject", '
        '"name": "Kitten meets a dog", "description": "first time", '
        '"contentUrl": "/stream/k1"}</script></head>'
        "<body><div id='player'></div></body></html>"
    )
    output = _ingest(f"{base}/watch.html")
    video = Video.objects.get()
    assert video.caption == "Kitten meets a dog\nfirst time"
    assert video.source_url == f"{base}/stream/k1"
    assert "player.test" not in output  # the embeddable player was never a link


def test_a_page_in_its_own_declared_charset_keeps_the_caption_readable(owner, site):
    base, root = site
    # Served as plain text/html (no charset in the header); the page declares windows-1252.
    (root / "latin.html").write_bytes(
        "<html><head><meta charset='windows-1252'><title>x</title></head><body>"
        "<article><p>Caf\xe9 cat \u2013 \u201cfirst\u201d nap</p>"
        "<a href='/files/1700000000002.mp4'>clip</a></article></body></html>".encode("cp1252")
    )
    _ingest(f"{base}/latin.html")
    assert Video.objects.get().caption == "Caf\xe9 cat \u2013 \u201cfirst\u201d nap"


def test_page_without_videos_is_an_error_with_the_reason(owner, site):
    base, _ = site
    with pytest.raises(CommandError, match="no video links"):
        _ingest(f"{base}/empty.html")
    assert not Video.objects.exists()


def test_page_that_404s_is_an_error(owner, site):
    base, _ = site
    with pytest.raises(CommandError, match="404"):
        _ingest(f"{base}/wsg/thread/404")


def test_timeout_and_404_links_fail_alone_and_leave_no_files(owner, site, media_store):  # noqa: ANN001
    base, root = site
    (root / "mixed.html").write_text(
        "<html><title>Mixed</title>"
        "<a href='/files/1700000000002.mp4'>ok</a>"
        "<a href='/slow/files/1700000000001.webm'>slow</a>"
        "<a href='/files/missing.webm'>gone</a></html>"
    )
    with pytest.raises(CommandError, match="2 error"):
        _ingest(f"{base}/mixed.html", "--timeout", "1")
    assert Video.objects.count() == 1
    files = media_store.names()
    assert {name.split("/")[1] for name in files} == {Video.objects.get().media_key}


def test_an_unexpected_failure_of_one_download_is_its_row_not_the_end_of_the_run(
    owner,  # noqa: ANN001
    site,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from videos.management.commands import ingest_url

    real = ingest_url.download_to_temp

    def failing_for_the_webm(client, url, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if url.endswith(".webm"):
            raise RuntimeError("a bug nobody foresaw")
        return real(client, url, **kwargs)

    monkeypatch.setattr(ingest_url, "download_to_temp", failing_for_the_webm)
    base, _ = site
    out = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command(
            "ingest_url",
            f"{base}/wsg/thread/5000001",
            "--user",
            "collector",
            "--allow-private-addresses",
            stdout=out,
            stderr=StringIO(),
        )
    assert "RuntimeError: a bug nobody foresaw" in out.getvalue()
    assert [v.original_filename for v in Video.objects.all()] == ["kitten.mp4"]


def test_oversized_download_is_refused(owner, site):
    base, _ = site
    with pytest.raises(CommandError, match="1 error"):
        _ingest(f"{base}/files/1700000000002.mp4", "--max-bytes", "100")
    assert not Video.objects.exists()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_page_on_this_machine_is_refused_unless_allowed(owner, site, host: str):  # noqa: ANN001
    base, _ = site
    url = f"{base}/wsg/thread/5000001".replace("127.0.0.1", host)
    with pytest.raises(CommandError) as caught:
        _ingest(url, local=False)
    message = str(caught.value)
    assert "a loopback address" in message and "--allow-private-addresses" in message
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.10", "a private address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("0.0.0.0", "a private address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("fd00:ec2::254", "a private address"),  # AWS metadata over IPv6
        ("fe80::1", "a link-local address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::", "a link-local address"),  # 6to4 of the metadata address
        ("fec0::1", "a site-local address"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
        ("2002:5db8:d70e::", None),  # 6to4 of a public address
        ("64:ff9b::5db8:d70e", None),  # NAT64 (DNS64 on an IPv6-only host) of a public one
        ("64:ff9b::a01:203", "a private address"),  # NAT64 of 10.1.2.3
        ("64:ff9b::a9fe:a9fe", "a link-local address"),  # NAT64 of the metadata address
        ("64:ff9b::7f00:1", "a loopback address"),
    ],
)
def test_which_addresses_ingestion_refuses(address: str, reason: str | None) -> None:
    from videos.services.download import address_refusal

    assert address_refusal(address) == reason


def test_a_download_that_drips_past_its_deadline_fails_alone(owner, site):  # noqa: ANN001
    base, root = site
    (root / "drip.html").write_text(
        "<html><title>Drip</title>"
        "<a href='/files/1700000000002.mp4'>ok</a>"
        "<a href='/drip/forever.mp4'>drip</a></html>"
    )
    with pytest.raises(CommandError, match="1 error"):
        _ingest(f"{base}/drip.html", "--timeout", "5", "--deadline", "1")
    assert Video.objects.count() == 1


def test_ctrl_c_stops_the_downloads_in_flight_instead_of_waiting_out_their_deadline(owner):  # noqa: ANN001
    """Ctrl-C while a server holds a download open: the command stops at once and the download
    ends at its next read; it waited for the download's deadline (600 s by default) first."""
    started, release, gave_up, hung_up = (threading.Event() for _ in range(4))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/page":
                body = b"<title>Held</title><a href='/held.mp4'>held</a>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.end_headers()
            started.set()
            if not release.wait(30):  # far longer than a signal takes on any machine
                gave_up.set()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                hung_up.set()

        def log_message(self, *args) -> None:  # noqa: ANN002
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    main = threading.get_ident()

    def interrupt() -> None:
        if started.wait(60):
            signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            _ingest(f"http://127.0.0.1:{server.server_address[1]}/page", "--deadline", "40")
        assert not gave_up.is_set()  # the command stopped while the server still held on
        release.set()
        assert hung_up.wait(60)  # and the download ended at its next read
        assert not Video.objects.exists()
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_a_page_title_with_terminal_escapes_is_printed_escaped(owner, site):  # noqa: ANN001
    # A hostile page's <title> reached the operator's terminal raw (an ESC sequence clearing
    # the screen, a right-to-left override reordering the line).
    base, root = site
    (root / "escapes.html").write_text(
        "<title>Clips\x1b[2J\u202eevil</title><a href='/files/1700000000002.mp4'>clip</a>"
    )

    output = _ingest(f"{base}/escapes.html")

    assert "1 video link(s) on Clips\\x1b[2J\\u202eevil" in output
    assert "\x1b" not in output and "\u202e" not in output


def test_links_beyond_the_cap_are_reported_and_skipped(owner, site):  # noqa: ANN001
    base, _ = site
    output = _ingest(f"{base}/wsg/thread/5000001", "--max-links", "1")
    assert "taking the first 1 (--max-links); 1 skipped" in output
    assert Video.objects.count() == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--deadline", "0", "--deadline must be positive"),
        ("--max-bytes", "-5", "--max-bytes must be positive"),
        ("--limit", "-1", "--limit must be 0 or more"),  # it cut the list's end and exited 0
        ("--wait-timeout", "0", "--wait-timeout must be positive"),
    ],
)
def test_bad_numbers_are_refused_with_the_option_named(owner, site, option, value, message):  # noqa: ANN001
    base, _ = site
    with pytest.raises(CommandError, match=message):
        _ingest(f"{base}/wsg/thread/5000001", option, value)
    assert not Video.objects.exists()


def test_a_link_longer_than_the_stored_url_is_known_on_the_next_run(owner, site):  # noqa: ANN001
    # The video keeps its source URL cut to 2,000 characters: a run compared the whole link
    # with it, so such a link was downloaded in full again on every run.
    base, root = site
    long_link = f"{base}/files/1700000000002.mp4?token={'x' * 2100}"
    (root / "long.html").write_text(f"<html><title>Long</title><a href='{long_link}'>v</a></html>")
    _ingest(f"{base}/long.html")
    assert Video.objects.count() == 1
    (root / "files" / "1700000000002.mp4").unlink()  # a download now would fail
    output = _ingest(f"{base}/long.html")
    assert "already ingested from this URL" in output
    assert Video.objects.count() == 1


def test_a_checked_address_is_the_one_connected_to_and_the_name_is_kept(
    owner,  # noqa: ANN001
    site,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # Take this machine as "public" to run the pinned path against the local site: the request
    # goes to the address that was checked, with the name the URL gave in its Host header.
    import videos.services.download as download

    checked: list[str] = []
    monkeypatch.setattr(download, "address_refusal", lambda a: checked.append(a) or None)
    base, _ = site
    port = base.rsplit(":", 1)[1]
    _ingest(f"http://localhost:{port}/wsg/thread/5000001", local=False)
    assert "127.0.0.1" in checked
    # The page builds its links from the Host header it received.
    assert {v.source_url.split("/files/")[0] for v in Video.objects.all()} == {
        f"http://localhost:{port}"
    }


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(
    owner,  # noqa: ANN001
    site,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """The first address is taken as public (this machine stands in for a public server); the
    redirect it answers with points inside the network and is refused before any connection."""
    import videos.services.download as download

    checked = download.address_refusal
    monkeypatch.setattr(
        download, "address_refusal", lambda a: None if a == "127.0.0.1" else checked(a)
    )
    base, _ = site
    with pytest.raises(CommandError) as caught:
        _ingest(f"{base}/to-private/files/1700000000002.mp4", local=False)
    assert "127.0.0.2" in str(caught.value) and "a loopback address" in str(caught.value)
    assert not Video.objects.exists()


def test_a_page_that_drips_past_the_deadline_is_refused(owner, site):  # noqa: ANN001
    base, _ = site
    with pytest.raises(CommandError, match="took longer than the deadline of 1 s"):
        _ingest(f"{base}/drip-page", "--deadline", "1")


def test_a_file_served_as_bytes_is_a_direct_link_named_by_its_header(owner, site):
    base, _ = site
    _ingest(f"{base}/download.php?id=7")
    video = Video.objects.get()
    assert video.original_filename == "Katze springt.mp4"  # filename* wins, decoded


def test_a_link_no_request_can_be_made_for_fails_alone(owner, site):
    # A host name no IDNA allows: httpx refuses to build the request. Before, that escaped as
    # a traceback and the run's other links were lost with it.
    base, root = site
    (root / "bad-host.html").write_text(
        "<html><title>Links</title><a href='/files/1700000000002.mp4'>ok</a>"
        "<a href='http://i\u2764.ws/cat.mp4'>heart</a></html>",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="1 error"):
        _ingest(f"{base}/bad-host.html")
    assert Video.objects.count() == 1


def test_links_and_captions_with_a_nul_or_an_unpaired_surrogate_do_not_lose_the_page(owner, site):
    # Each of these failed the whole run in the query for known links (a NUL in a URL: a
    # DataError; an unpaired surrogate: UnicodeEncodeError), or the video's row (a caption).
    base, root = site
    (root / "nul.html").write_bytes(
        b"<html><title>Clips</title><a href='/files/17000000000\x0001.webm'>nul</a>"
        b"<script type='application/ld+json'>["
        b'{"@type": "VideoObject", "contentUrl": "/files/x\\u0000.mp4", "name": "n"},'
        b'{"@type": "VideoObject", "contentUrl": "/files/x\\ud800.mp4", "name": "s"},'
        b'{"@type": "VideoObject", "contentUrl": "/files/1700000000002.mp4",'
        b' "name": "cat \\u0000 nap \\ud800"}]</script></html>'
    )
    output = _ingest(f"{base}/nul.html")
    video = Video.objects.get()
    assert video.source_url == f"{base}/files/1700000000002.mp4"
    assert video.caption == "cat  nap \ufffd"
    assert output.startswith("1 video link(s) on Clips")  # the unusable links skipped alone


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("example.com/videos", "not an http(s) URL (add https://)"),
        ("ftp://example.com/a.mp4", "not an http(s) URL"),
        ("http://i\u2764.ws/", "not a valid URL"),
        ("http://:8080/a.mp4", "has no host name"),
        ("http://example.com:port/a.mp4", "not a valid URL"),
        ("http://example.com/a\x00.mp4", "holds a control character"),
    ],
)
def test_a_typed_url_that_cannot_be_fetched_is_one_line_saying_why(owner, typed, says):  # noqa: ANN001
    with pytest.raises(CommandError, match=re.escape(says)):
        _ingest(typed)
    assert Video.objects.count() == 0


def test_sync_runs_each_video_before_the_next_download_is_taken_in(
    owner,  # noqa: ANN001
    site,  # noqa: ANN001
    instant_steps,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # Run only at the end, the first videos waited past the sweep's grace with nothing asked
    # for: the sweep sent them to the workers and --sync then ran none of them itself. Each is
    # now processed as it is taken in, and the next download starts after it.
    from videos.management.commands import ingest_url

    real = ingest_url.download_to_temp
    seen: list[list[str]] = []  # the steps run when each download started

    def recording(client, url, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.append([name for name, _ in instant_steps])
        return real(client, url, **kwargs)

    monkeypatch.setattr(ingest_url, "download_to_temp", recording)
    base, _ = site

    _ingest(f"{base}/wsg/thread/5000001", "--sync")

    assert seen == [[], ["transcode", "transcribe", "embed", "tag", "publish"]]
    assert len({video_id for _, video_id in instant_steps}) == 2
    assert set(Video.objects.values_list("status", flat=True)) == {VideoStatus.READY}
