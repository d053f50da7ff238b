"""Prints a benchmark's table and writes its results (and its peer's) in one JSON file.

    report.py queue OUT GUICHET_JSON PGQUEUER_JSON
    report.py tickets OUT GUICHET_JSON [ITOP_JSONL]
    report.py timers OUT GUICHET_JSON
    report.py dashboards OUT GUICHET_JSON
    report.py cmdb OUT GUICHET_JSON [ITOP_JSON]
"""
import json
import platform
import sys
from datetime import datetime, timezone


def table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))


def write(out_path, scenario, results):
    json.dump({
        "scenario": scenario,
        "at": datetime.now(timezone.utc).isoformat(),
        "machine": {"cpus": __import__("os").cpu_count(), "platform": platform.platform()},
        **results,
    }, open(out_path, "w"), indent=2, sort_keys=True)


def queue(out_path, ours_path, peer_path):
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
    table(("scenario", "Guichet rate", "PgQueuer rate", "Guichet latency (ms)", "PgQueuer latency (ms)"), rows)
    write(out_path, "queue", {"guichet": ours, "pgqueuer": peer})


KINDS = ("API nodes", "workers", "PostgreSQL", "HAProxy", "SMTP sink", "load generator")


def spread(ms):
    return "p50 {:.1f} p99 {:.1f} max {:.1f}".format(ms["p50"], ms["p99"], ms["max"])


def cost_columns(phase):
    """The notification delay and the cost per ticket of a phase, as table cells."""
    statements = phase.get("statements_per_ticket")
    return (
        "p50 {:.0f} p99 {:.0f}".format(phase["notification_ms"]["p50"], phase["notification_ms"]["p99"])
        + (f" ({phase['notifications_unsent']} unsent)" if phase.get("notifications_unsent") else ""),
        f"{phase['guichet_cpu_ms_per_ticket']:.1f}",
        "-" if statements is None else f"{statements:.0f}",
        f"{phase['transactions_per_ticket']:.1f}",
    )


def tickets(out_path, ours_path, peer_path=None):
    ours = json.load(open(ours_path))
    peer = [json.loads(line) for line in open(peer_path) if line.strip()] if peer_path else []
    phases = ours["rates"] + ([ours["sustained"]] if "sustained" in ours else [])
    rows = []
    for phase in phases:
        failures = sum(phase["failures"].values())
        peak = max(sample["bytes"] for sample in phase["jobs_table"])
        rows.append((
            f"{phase['rate']:.0f}/s for {phase['duration_s']:.0f}s",
            f"{phase['achieved_per_s']:.0f}/s",
            f"{phase['created']}/{phase['offered']}" + (f" ({failures} failed)" if failures else ""),
            spread(phase["create_ms"]),
            spread(phase["to_in_progress_ms"]) + (f" ({phase['not_assigned']} not assigned)" if phase["not_assigned"] else ""),
            *cost_columns(phase),
            f"{peak / 1048576:.1f} MiB",
        ))
    table(("offered", "achieved", "created", "create (ms)", "create -> in_progress (ms)", "notification -> sent (ms)",
           "CPU ms/ticket", "statements/ticket", "transactions/ticket", "jobs table peak"), rows)

    closed = ours.get("closed_loop", [])
    print("\nclosed loop: each connection opens its next ticket when the previous one is answered")
    rows = []
    for run in closed:
        theirs = next((p for p in peer if p["concurrency"] == run["connections"]), None)
        rows.append((
            run["connections"], f"{run['per_s']:.1f}/s", spread(run["create_ms"]), f"{run['guichet_cpu_ms_per_ticket']:.1f}",
            f"{theirs['rate_per_s']:.1f}/s" if theirs else "not run (ITOP_URL)",
            f"p50 {theirs['p50_ms']:.1f} p99 {theirs['p99_ms']:.1f}" if theirs else "",
            f"x{run['per_s'] / theirs['rate_per_s']:.1f}" if theirs and theirs["rate_per_s"] else "",
        ))
    if rows:
        table(("connections", "Guichet", "Guichet create (ms)", "CPU ms/ticket", "iTop", "iTop create (ms)", "ratio"), rows)

    print("\nCPU per ticket by kind of process (ms; Guichet = API nodes + workers + PostgreSQL):")
    rows = []
    for name, phase in [(f"{p['rate']:.0f}/s", p) for p in phases] + [(f"closed x{r['connections']}", r) for r in closed]:
        per = phase["cpu_ms_per_ticket"]
        rows.append((name, *(f"{per.get(kind, 0):.2f}" for kind in KINDS), f"{phase['guichet_cpu_ms_per_ticket']:.2f}"))
    table(("phase", *KINDS, "Guichet"), rows)

    heaviest = ours.get("sustained") or (phases[-1] if phases else None)
    if heaviest and heaviest.get("top_statements"):
        print(f"\nthe statements that took PostgreSQL the most time (planning and execution) at {heaviest['rate']:.0f}/s:")
        table(("total ms", "of it planning", "calls", "mean ms", "statement"), [
            (f"{s['total_ms']:.0f}", f"{s.get('plan_ms', 0):.0f}", s["calls"], f"{s['mean_ms']:.3f}", s["query"][:100])
            for s in heaviest["top_statements"]
        ])

    if "sustained" in ours:
        print("\njobs table during the sustained run (completed jobs kept 1 minute, pruned every minute):")
        samples = ours["sustained"]["jobs_table"]
        table(("at", "size", "rows"), [
            (f"{s['at_s']:.0f}s", f"{s['bytes'] / 1048576:.1f} MiB", " ".join(f"{k}={v}" for k, v in sorted(s["rows"].items())))
            for s in samples
        ])
    write(out_path, "tickets", {"guichet": ours, **({"itop": peer} if peer else {})})


def timers(out_path, ours_path):
    ours = json.load(open(ours_path))
    entries = ours["history_entries"]
    rows = []
    for level, key, fired, kind in (
        ("warning (75 %)", "warning", "warnings_fired", "sla_warning"),
        ("breach (100 %)", "breach", "breaches_fired", "sla_breached"),
    ):
        late = ours[f"{key}_lateness_ms"]
        rows.append((
            level, f"{ours[fired]}/{ours['tickets']}",
            f"{entries.get(kind, 0)} for {entries.get(kind + '_tickets', 0)} tickets",
            "p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f}".format(late["p50"], late["p95"], late["p99"], late["max"]),
        ))
    print(f"{ours['tickets']} tickets opened over {ours['window_s']:.0f} s, resolution target {ours['target_minutes']} min: "
          f"breach deadlines span {ours['breach_deadlines_span_s']:.1f} s")
    table(("timer", "fired", "history entries", "lateness (ms)"), rows)
    write(out_path, "timers", {"guichet": ours})


def dashboards(out_path, ours_path):
    ours = json.load(open(ours_path))
    rows = []
    for scenario in ours["scenarios"]:
        ms = scenario["render_ms"]
        rows.append((scenario["name"], scenario["requests"], f"{scenario['bytes'] / 1024:.0f} KB",
                     "p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f}".format(ms["p50"], ms["p95"], ms["p99"], ms["max"])))
    print(f"dashboards over {ours['tickets']:,} tickets (and {ours['clocks']:,} SLA clocks), rendered by one API node:")
    table(("page", "requests", "size", "render time (ms)"), rows)
    print(f"monthly rollups: built from scratch in {ours['rollup_full_s']:.1f} s; "
          f"the minute job's run (current and previous months) {ours['rollup_incremental_s']:.2f} s")
    write(out_path, "dashboards", {"guichet": ours})


# iTop 3.2 on this machine (../shared/peers/itop/README.md): webservices/import.php, class PC, one PHP process
ITOP_IMPORT = {"initial": (10000, 111.4), "second": (10000, 94.1), "again": (10000, 15.5)}


def cmdb(out_path, ours_path, peer_path=None):
    ours = json.load(open(ours_path))
    first, second = ours["first_import"], ours["second_import"]
    peer = json.load(open(peer_path)) if peer_path else None
    if peer:
        theirs, again = peer["initial"], peer["second"]
        itop_rate, itop_second = theirs["rows_per_s"], again["rows_per_s"]
        itop = (f"iTop {peer['itop']} (measured in this run)",
                f"{itop_rate:.0f} rows/s ({theirs['created']:,} PCs in {theirs['seconds']:.1f} s)",
                f"{itop_second:.0f} rows/s ({again['updated']:,} changed of {again['rows']:,} in {again['seconds']:.1f} s)")
    else:
        itop_rate = ITOP_IMPORT["initial"][0] / ITOP_IMPORT["initial"][1]
        itop_second = ITOP_IMPORT["second"][0] / ITOP_IMPORT["second"][1]
        itop = ("iTop 3.2 (recorded)", f"{itop_rate:.0f} rows/s (10,000 PCs in 111 s)",
                f"{itop_second:.0f} rows/s (5,000 changed + 5,000 new in 94 s)")
    print("imports (guichet import cis, the demo fleet with its relations, into the cluster's database):")
    table(("import", "rows", "Guichet", "rows/s", "goal", itop[0], "iTop for these rows"), [
        ("first, empty CMDB", f"{first['rows']:,}", f"{first['seconds']:.1f} s", f"{first['rows_per_s']:,.0f}", "< 10 s",
         itop[1], f"~{first['rows'] / itop_rate / 60:.0f} min"),
        (f"again, {second['changed_rows']:,} changed, {second['removed_rows']:,} gone", f"{second['rows']:,}", f"{second['seconds']:.1f} s",
         f"{second['rows_per_s']:,.0f}", "< 5 s", itop[2], f"~{second['rows'] / itop_second / 60:.0f} min"),
    ])
    print(f"  first: {first['summary']}\n  again: {second['summary']}")
    if peer:
        print(f"  iTop: webservices/import.php, class PC, the first {theirs['rows']:,} workstations as {', '.join(peer['columns'])} "
              "(iTop's PC has no IP, MAC nor antivirus; its link to a switch is another import)")
        for name, run in (("first", theirs), ("again", again)):
            print(f"  iTop {name}: {run['created']:,} created, {run['updated']:,} updated, {run['unchanged']:,} unchanged, {run['issues']} issues; "
                  f"PHP {run['php_cpu_s']:.1f} s CPU, peak RSS {run['php_max_rss_mb']:,.0f} MB; mariadbd {run['mariadbd_cpu_s']:.1f} s CPU; "
                  f"the machine {run['machine_busy_cores']:.1f} cores busy")
    print(f"\nthrough an API node, over {ours['cis']:,} CIs:")
    rows = []
    for name, key, goal in [("search (names, parts, serials, IPs, words)", "search", "p99 <= 20 ms"),
                            (f"impact down of the largest establishment's router ({ours['impact_router_size']} CIs there)", "impact_router", "p99 <= 50 ms"),
                            ("impact down of a hypervisor farm", "impact_farm", "p99 <= 50 ms")]:
        ms = ours[key]
        rows.append((name, "p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f}".format(ms["p50"], ms["p95"], ms["p99"], ms["max"]), goal))
    table(("request", "time (ms)", "goal"), rows)
    write(out_path, "cmdb", {"guichet": ours, **({"itop": peer} if peer else {"itop_recorded": ITOP_IMPORT})})


def alerts(out_path, ours_path):
    ours = json.load(open(ours_path))
    def ms(key):
        v = ours[key]
        return "p50 {:.0f} p95 {:.0f} p99 {:.0f} max {:.0f}".format(v["p50"], v["p95"], v["p99"], v["max"])
    print(f"an outage of {ours['devices']:,} network devices in {ours['establishments']} establishments: {ours['notifications']:,} notifications "
          f"({ours['rounds']} rounds of firing groups, 5 % sent twice, then the recovery), {ours['tickets_opened']:,} tickets opened by people meanwhile")
    table(("measure", "Guichet", "goal"), [
        ("incidents opened", f"{ours['incidents']} ({ours['establishments_with_one_incident']} establishments with exactly one)", "exactly one per establishment"),
        ("first alert of an establishment -> its incident exists (ms)", ms("first_alert_to_incident_ms"), "p99 <= 2,000"),
        ("intake answer (ms)", ms("intake_ms"), "p99 <= 50"),
        ("alerts lost or processed twice", f"{ours['alerts_without_incident']} without an incident of {ours['alerts']:,}; "
         f"{ours['unprocessed_notifications']} notifications unprocessed; {ours['alert_events']:,} state changes recorded", "0"),
        ("last recovery -> incident resolved (ms)", f"{ms('recovery_to_resolved_ms')} ({ours['resolved_incidents']} resolved)", "p99 <= 5,000"),
        ("tickets opened by people during the storm: create (ms)", f"{ms('tickets_create_ms')} ({ours['ticket_errors']} errors)", "p99 <= 100"),
    ])
    if ours.get("cpu_s"):
        print("\nCPU spent from the first alert to the last incident resolved, by kind of process (s):")
        table(KINDS, [tuple(f"{ours['cpu_s'].get(kind, 0):.1f}" for kind in KINDS)])
    if ours.get("top_statements"):
        print("\nthe statements that took PostgreSQL the most time (planning and execution):")
        table(("total ms", "of it planning", "calls", "mean ms", "statement"), [
            (f"{s['total_ms']:.0f}", f"{s.get('plan_ms', 0):.0f}", s["calls"], f"{s['mean_ms']:.3f}", s["query"][:100])
            for s in ours["top_statements"]
        ])
    write(out_path, "alerts", {"guichet": ours})


if __name__ == "__main__":
    {"queue": queue, "tickets": tickets, "timers": timers, "dashboards": dashboards, "cmdb": cmdb, "alerts": alerts}[sys.argv[1]](*sys.argv[2:])
