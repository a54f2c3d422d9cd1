#!/usr/bin/python3
"""lt_tool.py - python3-libtorrent as a reference implementation for Rustorrent's tests.

Run with Debian's /usr/bin/python3 (python3-libtorrent is not importable from a pyenv/venv python).

  lt_tool.py create --out X.torrent [--version v1|v2|hybrid] [--piece-length N]
                    [--tracker URL[,URL...]]... [--webseed URL]... [--private]
                    [--comment TEXT] [--creator TEXT] PAYLOAD
      Each --tracker is one tier (commas separate URLs within the tier, as mktorrent does).
  lt_tool.py dump X.torrent
      JSON of libtorrent's own reading of the file (one object on stdout).
  lt_tool.py seed --torrent X.torrent --save-path DIR --port N [--tracker-announce]
                  [--max-lifetime S] [--set KEY=VALUE]...
  lt_tool.py leech (--torrent X.torrent | --magnet URI) --save-path DIR --port N
                   [--peer 127.0.0.1:P]... [--tracker-announce] [--exit-when-done]
                   [--max-lifetime S] [--set KEY=VALUE]...

A --magnet leech prints "METADATA <sha1 of the info dictionary> <name>" once it has the metadata.

seed/leech never leave loopback: they listen on 127.0.0.1:N only, with DHT, LSD, UPnP, NAT-PMP
and uTP off. They print "READY <port>" once listening (seed: once the data is checked and being
seeded), "DONE <bytes>" when a leech has every piece, "ALERT <type>: <message>" for errors, and
exit when stdin closes, on SIGTERM/SIGINT, or after --max-lifetime seconds ("EXIT <reason>").
Exit codes: 0 normal, 2 bad arguments/input, 3 data incomplete for a seed, 4 lifetime ran out.
"""
import argparse
import hashlib
import json
import os
import select
import signal
import sys
import time

import libtorrent as lt


def fail(message, code=2):
    print("ERROR " + message, file=sys.stderr, flush=True)
    sys.exit(code)


# ---------------------------------------------------------------- create

def cmd_create(a):
    payload = os.path.abspath(a.payload)
    if not os.path.exists(payload):
        fail("payload does not exist: " + payload)
    fs = lt.file_storage()
    lt.add_files(fs, payload)
    if fs.num_files() == 0:
        fail("payload has no files: " + payload)
    flags = {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0}[a.version]
    ct = lt.create_torrent(fs, a.piece_length, flags)
    for tier, spec in enumerate(a.tracker):
        for url in spec.split(","):
            if url:
                ct.add_tracker(url, tier)
    for url in a.webseed:
        ct.add_url_seed(url)
    if a.private:
        ct.set_priv(True)
    if a.comment is not None:
        ct.set_comment(a.comment)
    if a.creator is not None:
        ct.set_creator(a.creator)
    # libtorrent resolves each file as <parent of payload>/<path in torrent>.
    lt.set_piece_hashes(ct, os.path.dirname(payload))
    data = lt.bencode(ct.generate())
    with open(a.out, "wb") as f:
        f.write(data)
    print(json.dumps({"out": os.path.abspath(a.out), "bytes": len(data)}), flush=True)


# ---------------------------------------------------------------- dump

def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def hex_or_none(h, present):
    return str(h) if present else None


def cmd_dump(a):
    try:
        ti = lt.torrent_info(a.torrent)
    except RuntimeError as e:
        fail("libtorrent cannot read %s: %s" % (a.torrent, e))
    ih = ti.info_hashes()
    fs = ti.orig_files() if hasattr(ti, "orig_files") else ti.files()
    files = []
    for i in range(fs.num_files()):
        files.append({
            "path": fs.file_path(i).replace(os.sep, "/"),
            "size": fs.file_size(i),
            "offset": fs.file_offset(i),
            "pad": bool(fs.file_flags(i) & lt.file_storage.flag_pad_file),
        })
    # libtorrent shuffles URLs within a tier (BEP 12) and appends "/" to multi-file web seeds,
    # so the raw lists (as libtorrent's own bdecode reads them) are printed as well.
    trackers = [{"url": t.url, "tier": t.tier} for t in ti.trackers()]
    web_seeds = [w["url"] for w in ti.web_seeds()]
    with open(a.torrent, "rb") as f:
        raw = lt.bdecode(f.read()) or {}
    raw_url_list = raw.get(b"url-list", [])
    if isinstance(raw_url_list, bytes):
        raw_url_list = [raw_url_list]
    out = {
        "name": ti.name(),
        "info_hash_v1": hex_or_none(ih.v1, ih.has_v1()),
        "info_hash_v2": hex_or_none(ih.v2, ih.has_v2()),
        "total_size": ti.total_size(),
        "piece_length": ti.piece_length(),
        "num_pieces": ti.num_pieces(),
        "num_files": fs.num_files(),
        "files": files,
        "trackers": trackers,
        "web_seeds": web_seeds,
        "raw_announce": text(raw.get(b"announce")),
        "raw_announce_list": [[text(u) for u in tier] for tier in raw.get(b"announce-list", [])],
        "raw_url_list": [text(u) for u in raw_url_list],
        "priv": bool(ti.priv()),
        "creator": ti.creator(),
        "comment": ti.comment(),
        "creation_date": ti.creation_date(),
    }
    print(json.dumps(out, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------- sessions

def loopback_settings(port, overrides):
    s = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "listen_system_port_fallback": False,  # bind exactly the port we were given, or fail
        "outgoing_interfaces": "",
        "enable_dht": False,                   # DHT, LSD, UPnP and NAT-PMP would reach off the machine
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,          # TCP only: libtorrent's uTP crawls on loopback
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,  # every peer in a test is 127.0.0.1
        "ssrf_mitigation": False,              # else a localhost tracker needs a path ending in /announce
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "validate_https_trackers": False,
        "upload_rate_limit": 0,
        "download_rate_limit": 0,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
                      | lt.alert.category_t.tracker_notification,
        "user_agent": "rustorrent-tests/libtorrent-" + lt.__version__,
    }
    defaults = lt.default_settings()
    for kv in overrides:
        k, _, v = kv.partition("=")
        if k not in defaults:
            fail("unknown libtorrent setting " + k)
        d = defaults[k]
        if isinstance(d, bool):
            s[k] = v.lower() in ("1", "true", "yes", "on")
        elif isinstance(d, int):
            s[k] = int(v)
        else:
            s[k] = v
    return s


def load_torrent(path, keep_trackers):
    try:
        if keep_trackers:
            return lt.torrent_info(path)
        d = lt.bdecode(open(path, "rb").read())
        if d is None:
            fail("not bencoded: " + path)
        d.pop(b"announce", None)
        d.pop(b"announce-list", None)
        return lt.torrent_info(d)
    except RuntimeError as e:
        fail("libtorrent cannot read %s: %s" % (path, e))


class Lifetime:
    """Stops the loop on stdin EOF (the test that started us is gone or done), a signal or a deadline."""

    def __init__(self, max_lifetime):
        self.reason = None
        self.deadline = time.monotonic() + max_lifetime
        self.stdin_open = True
        signal.signal(signal.SIGTERM, lambda *_: self.stop("SIGTERM"))
        signal.signal(signal.SIGINT, lambda *_: self.stop("SIGINT"))

    def stop(self, reason):
        if self.reason is None:
            self.reason = reason

    def poll(self, wait):
        if self.stdin_open:
            ready, _, _ = select.select([sys.stdin], [], [], wait)
            if ready and not os.read(sys.stdin.fileno(), 4096):
                self.stdin_open = False
                self.stop("stdin closed")
        else:
            time.sleep(wait)
        if time.monotonic() > self.deadline:
            self.stop("max lifetime")
        return self.reason is None


def wait_listening(ses, port):
    deadline = time.monotonic() + 10
    while ses.listen_port() == 0 and time.monotonic() < deadline:
        for al in ses.pop_alerts():
            if isinstance(al, lt.listen_failed_alert):
                fail("cannot listen on 127.0.0.1:%d: %s" % (port, al.message()))
        time.sleep(0.02)
    if ses.listen_port() == 0:
        fail("not listening on 127.0.0.1:%d after 10 s" % port)
    return ses.listen_port()


ERROR_ALERTS = (lt.tracker_error_alert, lt.torrent_error_alert, lt.file_error_alert,
                lt.listen_failed_alert, lt.hash_failed_alert, lt.peer_error_alert)


def report_alerts(ses):
    for al in ses.pop_alerts():
        if isinstance(al, ERROR_ALERTS):
            print("ALERT %s: %s" % (type(al).__name__, al.message()), flush=True)
        elif isinstance(al, lt.tracker_reply_alert):
            print("TRACKER_REPLY %s" % al.message(), flush=True)


def finish(ses, life):
    ses.pause()  # sends 'stopped' to trackers
    time.sleep(0.2)
    print("EXIT %s" % life.reason, flush=True)
    sys.exit(4 if life.reason == "max lifetime" else 0)


CHECKING = (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data)


def cmd_seed(a):
    life = Lifetime(a.max_lifetime)
    ses = lt.session(lt.session_params(loopback_settings(a.port, a.set)))
    atp = lt.add_torrent_params()
    atp.ti = load_torrent(a.torrent, a.tracker_announce)
    atp.save_path = os.path.abspath(a.save_path)
    atp.flags = 0  # not paused, not auto-managed: starts at once and is never queued
    h = ses.add_torrent(atp)
    port = wait_listening(ses, a.port)
    ready = False
    while life.poll(0.05):
        report_alerts(ses)
        if not ready:
            st = h.status()
            if st.is_seeding:
                ready = True
                print("READY %d" % port, flush=True)
            elif st.state not in CHECKING and st.has_metadata and st.state != lt.torrent_status.seeding:
                if st.errc.value() != 0 or st.state == lt.torrent_status.downloading:
                    fail("data under %s is incomplete for %s: progress %.4f (%s)" % (
                        a.save_path, a.torrent, st.progress, st.errc.message()), code=3)
    finish(ses, life)


def cmd_leech(a):
    life = Lifetime(a.max_lifetime)
    ses = lt.session(lt.session_params(loopback_settings(a.port, a.set)))
    if a.magnet:
        atp = lt.parse_magnet_uri(a.magnet)
        if not a.tracker_announce:
            atp.trackers = []
    else:
        atp = lt.add_torrent_params()
        atp.ti = load_torrent(a.torrent, a.tracker_announce)
    os.makedirs(a.save_path, exist_ok=True)
    atp.save_path = os.path.abspath(a.save_path)
    atp.flags = 0
    h = ses.add_torrent(atp)
    port = wait_listening(ses, a.port)
    print("READY %d" % port, flush=True)
    for p in a.peer:
        host, _, pport = p.rpartition(":")
        host = host.strip("[]")
        if host not in ("127.0.0.1", "::1"):
            fail("loopback peers only, not " + p)
        h.connect_peer((host, int(pport)))
    done = False
    last_progress = 0.0
    metadata_told = not a.magnet
    while life.poll(0.05):
        report_alerts(ses)
        st = h.status()
        if not metadata_told and st.has_metadata:
            # A magnet's info dictionary arrived (ut_metadata, BEP 9) and libtorrent checked its info hash.
            metadata_told = True
            ti = h.torrent_file()
            print("METADATA %s %s" % (hashlib.sha1(ti.info_section()).hexdigest(), ti.name()), flush=True)
        if not done and st.has_metadata and st.is_finished and st.state not in CHECKING:
            done = True
            print("DONE %d" % st.total_wanted, flush=True)
            if a.exit_when_done:
                life.stop("done")
        elif not done and time.monotonic() - last_progress >= 1:
            last_progress = time.monotonic()
            print("PROGRESS %.4f peers=%d" % (st.progress, st.num_peers), flush=True)
    finish(ses, life)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    c = sub.add_parser("create")
    c.add_argument("payload")
    c.add_argument("--out", required=True)
    c.add_argument("--version", choices=["v1", "v2", "hybrid"], default="hybrid")
    c.add_argument("--piece-length", type=int, default=0, help="bytes; 0 = libtorrent picks")
    c.add_argument("--tracker", action="append", default=[], help="one tier; commas separate URLs")
    c.add_argument("--webseed", action="append", default=[])
    c.add_argument("--private", action="store_true")
    c.add_argument("--comment")
    c.add_argument("--creator")

    d = sub.add_parser("dump")
    d.add_argument("torrent")

    for name in ("seed", "leech"):
        s = sub.add_parser(name)
        if name == "seed":
            s.add_argument("--torrent", required=True)
        else:
            src = s.add_mutually_exclusive_group(required=True)
            src.add_argument("--torrent")
            src.add_argument("--magnet")
            s.add_argument("--peer", action="append", default=[], help="127.0.0.1:PORT to connect to")
            s.add_argument("--exit-when-done", action="store_true")
        s.add_argument("--save-path", required=True)
        s.add_argument("--port", type=int, required=True)
        s.add_argument("--tracker-announce", action="store_true",
                       help="announce to the torrent's trackers (default: trackers are dropped)")
        s.add_argument("--max-lifetime", type=float, default=300)
        s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")

    a = ap.parse_args()
    {"create": cmd_create, "dump": cmd_dump, "seed": cmd_seed, "leech": cmd_leech}[a.command](a)


if __name__ == "__main__":
    main()
