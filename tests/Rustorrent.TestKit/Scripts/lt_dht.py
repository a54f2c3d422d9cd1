#!/usr/bin/python3
"""lt_dht.py - a small DHT of python3-libtorrent sessions on 127.0.0.1, for Rustorrent's DHT tests.

Run with Debian's /usr/bin/python3 (python3-libtorrent is not importable from a pyenv/venv python).

  lt_dht.py --port P [--port P]... [--ipv6] [--announce HEX] [--get-peers HEX]
            [--add-node 127.0.0.1:P | --add-node [::1]:P]... [--max-lifetime S]

Every --port is one libtorrent session (a DHT node) listening on 127.0.0.1 only (--ipv6: on ::1 only, an
IPv6 DHT, BEP 32); each bootstraps off
all the others (and off every --add-node). LSD, UPnP, NAT-PMP and uTP are off, and the settings that keep
libtorrent's DHT from working on one IP address (restrict routing/search IPs, dark internet, verified
node ids, per-IP rate limit) are relaxed.

--announce HEX       the first node adds info hash HEX as a torrent (a magnet: it never gets metadata), so
                     it announces itself (127.0.0.1:<its port>) to the DHT; forced again every 5 s.
--get-peers HEX      the last node looks HEX up (dht_get_peers) every second and prints each peer found.

Prints (stdout, one per line):
  READY <port>,<port>,...   once every node has answered another's query or finished a lookup (needs
                            --get-peers or --announce) and, with --announce, once the last node found the
                            announced peer: the DHT works end to end
  PEERS <hex> <ip>:<port>   a peer the last node's dht_get_peers found (each once; IPv6 as [ip]:port)
  ALERT <type>: <message>   errors
  EXIT <reason>             on stdin EOF, SIGTERM/SIGINT or --max-lifetime
Exit codes: 0 normal, 2 bad arguments or not ready within 30 s, 4 lifetime ran out.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import libtorrent as lt

# The shared session lifetime and error exit of the test scripts (lt_tool.py sits beside this file).
from lt_tool import Lifetime, fail


def loopback_dht_settings(port, bootstrap, host="127.0.0.1"):
    return {
        "listen_interfaces": "%s:%d" % ("[%s]" % host if ":" in host else host, port),
        "listen_system_port_fallback": False,
        "outgoing_interfaces": "",
        "enable_dht": True,
        "dht_bootstrap_nodes": bootstrap,      # the default is dht.libtorrent.org: never here
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        # Every node of the test is 127.0.0.1: without these libtorrent keeps one node per IP.
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_prefer_verified_node_ids": False,
        "dht_enforce_node_id": False,
        "dht_block_ratelimit": 100000,         # the per-IP flood ban would hit all our nodes at once
        "dht_upload_rate_limit": 1000000,
        "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.dht_operation_notification
                      | lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    }


def parse_endpoint(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if host not in ("127.0.0.1", "::1"):
        fail("loopback nodes only, not " + text)
    return host, int(port)


def show(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--announce", help="HEX")
    ap.add_argument("--get-peers", help="HEX")
    ap.add_argument("--add-node", action="append", default=[])
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--max-lifetime", type=float, default=300)
    a = ap.parse_args()

    life = Lifetime(a.max_lifetime)
    host = "::1" if a.ipv6 else "127.0.0.1"
    others = [(host, p) for p in a.port] + [parse_endpoint(n) for n in a.add_node]
    sessions = []
    for port in a.port:
        boot = ",".join(show(*hp) for hp in others if hp[1] != port)
        sessions.append(lt.session(lt.session_params(loopback_dht_settings(port, boot, host))))
    for ses, port in zip(sessions, a.port):
        for hp in others:
            if hp[1] != port:
                ses.add_dht_node(hp)

    announce = None
    save_path = tempfile.mkdtemp(prefix="lt_dht_")
    if a.announce:
        # session.dht_announce() cannot be called from python-libtorrent 2.0.8 (its flags type is not
        # exposed), so the node announces the way a client does: for a torrent it has.
        atp = lt.parse_magnet_uri("magnet:?xt=urn:btih:" + a.announce)
        atp.save_path = save_path
        atp.flags = 0
        announce = (sessions[0].add_torrent(atp), show(host, a.port[0]))
    lookup_hex = a.get_peers or a.announce
    lookup = lt.sha1_hash(bytes.fromhex(lookup_hex)) if lookup_hex else None

    ready = False
    started = time.monotonic()
    last_announce = last_lookup = 0.0
    seen = set()
    alive = set()
    while life.poll(0.05):
        now = time.monotonic()
        if announce and now - last_announce >= 5:
            last_announce = now
            announce[0].force_dht_announce()
        if lookup and now - last_lookup >= 1:
            last_lookup = now
            sessions[-1].dht_get_peers(lookup)
        for i, ses in enumerate(sessions):
            for al in ses.pop_alerts():
                if isinstance(al, (lt.dht_bootstrap_alert, lt.dht_get_peers_alert, lt.dht_get_peers_reply_alert)):
                    alive.add(i)  # it has answered another node, or finished a lookup
                if isinstance(al, lt.dht_get_peers_reply_alert) and i == len(sessions) - 1:
                    for ip, port in al.peers():
                        peer = show(ip, port)
                        if peer not in seen:
                            seen.add(peer)
                            if a.get_peers:
                                print("PEERS %s %s" % (str(al.info_hash), peer), flush=True)
                elif isinstance(al, (lt.listen_failed_alert, lt.udp_error_alert)):
                    print("ALERT %s: %s" % (type(al).__name__, al.message()), flush=True)
        if not ready:
            nodes_ok = len(alive) == len(sessions) or not lookup
            if nodes_ok and (announce is None or announce[1] in seen):
                ready = True
                print("READY %s" % ",".join(str(ses.listen_port()) for ses in sessions), flush=True)
            elif now - started > 30:
                fail("DHT not ready after 30 s: alive=%s seen=%s" % (sorted(alive), sorted(seen)))
    for ses in sessions:
        ses.pause()
    shutil.rmtree(save_path, ignore_errors=True)
    print("EXIT %s" % life.reason, flush=True)
    sys.exit(4 if life.reason == "max lifetime" else 0)


if __name__ == "__main__":
    main()
