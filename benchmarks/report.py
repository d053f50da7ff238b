"""Prints the queue benchmark table (Guichet against its peer) and writes both results in one JSON file."""
import json
import platform
import sys
from datetime import datetime, timezone


def main(ours_path, peer_path, out_path):
    ours = json.load(open(ours_path))
    peer = json.load(open(peer_path))
    rows = []
    for mine, theirs in zip(ours.get("offered", []), peer.get("offered", [])):
        rows.append((
            f"offered {mine['rate']:.0f}/s",
            f"{mine['achieved_per_s']:.0f}/s", f"{theirs['achieved_per_s']:.0f}/s",
            "p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f}".format(*(mine["pickup_ms"][k] for k in ("p50", "p95", "p99", "max"))),
            "p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f}".format(*(theirs["pickup_ms"][k] for k in ("p50", "p95", "p99", "max"))),
        ))
    if "drain" in ours and "drain" in peer:
        rows.append((
            f"drain {ours['drain']['jobs']} jobs", f"{ours['drain']['per_s']:.0f}/s", f"{peer['drain']['per_s']:.0f}/s",
            f"ratio x{ours['drain']['per_s'] / peer['drain']['per_s']:.1f}", "",
        ))
    if "scheduled" in ours and "scheduled" in peer:
        mine, theirs = ours["scheduled"]["lateness_ms"], peer["scheduled"]["lateness_ms"]
        rows.append((
            f"scheduled {ours['scheduled']['jobs']} over {ours['scheduled']['window_s']:.0f}s", "", "",
            f"late p50 {mine['p50']:.1f} p99 {mine['p99']:.1f} max {mine['max']:.1f}",
            f"late p50 {theirs['p50']:.1f} p99 {theirs['p99']:.1f} max {theirs['max']:.1f}",
        ))
    header = ("scenario", "Guichet rate", "PgQueuer rate", "Guichet latency (ms)", "PgQueuer latency (ms)")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    json.dump({
        "scenario": "queue",
        "at": datetime.now(timezone.utc).isoformat(),
        "machine": {"cpus": __import__("os").cpu_count(), "platform": platform.platform()},
        "guichet": ours,
        "pgqueuer": peer,
    }, open(out_path, "w"), indent=2, sort_keys=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
