#!/usr/bin/env python3
"""iTop's CSV import (webservices/import.php, class PC, one PHP process) of the first workstations of
Guichet's fleet inventory: into an empty CMDB, then the same rows again with every 20th one moved to
another room. Prints one JSON object on stdout, progress on stderr. Standard library only.

    bench.py --source ITOP_GIT_DIR --state DIR --fleet FLEET_CSV [--rows 10000] [--tag 3.2.0]

The tree at --tag is extracted into DIR/itop and installed once on a private MariaDB (DIR/mysql,
127.0.0.1:18306); the installed database is dumped, and every run starts from that dump, so that
the first import goes into an empty CMDB. MariaDB is stopped when the script ends.
"""
import argparse
import csv
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PORT = 18306
DATABASE = "itop"
DB_USER, DB_PASSWORD = "itop", "itop-bench"
ADMIN, ADMIN_PASSWORD = "admin", "Bench-Admin-2026!"
# Debian puts the server in /usr/sbin, which a user's PATH may not hold
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
# Guichet's workstation classes that iTop keeps as PCs (a tablet is another class there, Tablet)
PC_TYPES = {"desktop": "desktop", "thin_client": "desktop", "laptop": "laptop"}
# iTop's physical devices have no "repair" status: one under repair is out of production, in stock
STATUS = {"production": "production", "stock": "stock", "repair": "stock", "retired": "obsolete"}
PC_COLUMNS = [
    "name", "org_id->name", "location_id->name", "location_id->org_name", "status", "type", "serialnumber", "asset_number",
    "brand_id->name", "model_id->name", "osfamily_id->name", "osversion_id->name", "end_of_warranty",
]


def say(message):
    print(f"[itop] {message}", file=sys.stderr, flush=True)


def workstations(fleet_path, rows):
    """The first `rows` workstations of the inventory as iTop PCs, with Guichet's room as the PC's
    location in its establishment, and the operating system's first word as its family."""
    pcs = []
    with open(fleet_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["class"] not in PC_TYPES:
                continue
            org = row.get("establishment") or row.get("owner") or ""
            room, os_name = row.get("room") or "", row.get("os") or ""
            brand, model = row.get("brand") or "", row.get("model") or ""
            pcs.append({
                "name": row["name"], "org_id->name": org,
                "location_id->name": room, "location_id->org_name": org if room else "",
                "status": STATUS[row.get("status") or "production"], "type": PC_TYPES[row["class"]],
                "serialnumber": row.get("serial") or "", "asset_number": row.get("asset_tag") or "",
                "brand_id->name": brand, "model_id->name": model if brand else "",
                "osfamily_id->name": os_name.split(" ")[0], "osversion_id->name": os_name,
                "end_of_warranty": row.get("warranty_end") or "",
            })
            if len(pcs) == rows:
                break
    return pcs


def moved(pcs):
    """The same PCs with every 20th one in another room, as Guichet's second import changes them."""
    second = []
    for index, pc in enumerate(pcs):
        pc = dict(pc)
        if index % 20 == 3:
            pc["location_id->name"], pc["location_id->org_name"] = f"Salle {index % 97}", pc["org_id->name"]
        second.append(pc)
    return second


def reference_files(pcs):
    """What the PCs' external keys name, class by class, in the order iTop needs them created."""
    def distinct(*columns):
        return sorted({tuple(pc[c] for c in columns) for pc in pcs if all(pc[c] for c in columns)})
    return [
        ("Organization", ["name"], "name", distinct("org_id->name")),
        ("Location", ["name", "org_id->name"], "name,org_id", distinct("location_id->name", "location_id->org_name")),
        ("Brand", ["name"], "name", distinct("brand_id->name")),
        ("Model", ["name", "brand_id->name", "type"], "name,brand_id",
         [(m, b, "PC") for m, b in distinct("model_id->name", "brand_id->name")]),
        ("OSFamily", ["name"], "name", distinct("osfamily_id->name")),
        ("OSVersion", ["name", "osfamily_id->name"], "name,osfamily_id", distinct("osversion_id->name", "osfamily_id->name")),
    ]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


class MariaDB:
    """A private MariaDB server in `directory`, with the settings iTop's recorded figures (report.py)
    were measured with: a 512 MB buffer pool, durable commits."""

    def __init__(self, directory):
        self.directory = directory
        self.socket = directory / "mysql.sock"
        self.config = directory / "my.cnf"
        self.process = None

    def start(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.socket.exists() and subprocess.run(self.client() + ["-e", "SELECT 1"], capture_output=True).returncode == 0:
            raise SystemExit(f"a MariaDB already answers on {self.socket} (its pid is in {self.directory / 'mysql.pid'}); stop it first")
        self.config.write_text(
            "[mysqld]\n"
            f"datadir={self.directory / 'data'}\nsocket={self.socket}\nport={PORT}\nbind-address=127.0.0.1\n"
            f"user={pwd.getpwuid(os.getuid()).pw_name}\nlog-error={self.directory / 'mysql.err'}\npid-file={self.directory / 'mysql.pid'}\n"
            "innodb_buffer_pool_size=512M\ninnodb_flush_log_at_trx_commit=1\nmax_allowed_packet=64M\n"
            "character-set-server=utf8mb4\ncollation-server=utf8mb4_unicode_ci\nskip-name-resolve\n"
        )
        if not (self.directory / "data" / "mysql").is_dir():
            subprocess.run(["mariadb-install-db", f"--defaults-file={self.config}", "--auth-root-authentication-method=normal",
                            "--skip-test-db"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.process = subprocess.Popen([MARIADBD, f"--defaults-file={self.config}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            if self.socket.exists() and subprocess.run(self.client() + ["-e", "SELECT 1"], capture_output=True).returncode == 0:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"MariaDB did not start; see {self.directory / 'mysql.err'}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)

    def client(self):
        return ["mariadb", "-S", str(self.socket), "-uroot"]

    def sql(self, statements):
        subprocess.run(self.client() + ["-e", statements], check=True)

    def empty_database(self):
        self.sql(f"DROP DATABASE IF EXISTS {DATABASE}; CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
                 f"CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}';"
                 f"GRANT ALL ON {DATABASE}.* TO '{DB_USER}'@'127.0.0.1'; GRANT SUPER, PROCESS ON *.* TO '{DB_USER}'@'127.0.0.1';")

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def extract(source, tag, tree):
    """The tree at `tag`, without the blobs a partial mirror lacks (a screenshot, a source map)."""
    commit = subprocess.run(["git", "--git-dir", source, "rev-parse", f"{tag}^{{commit}}"], check=True, capture_output=True, text=True).stdout.strip()
    marker = tree.parent / "tree-commit"
    if tree.is_dir() and marker.exists() and marker.read_text() == commit:
        return commit, False
    say(f"extracting {tag} ({commit[:12]}) into {tree}")
    subprocess.run(["rm", "-rf", str(tree)], check=True)
    tree.mkdir(parents=True)
    listing = subprocess.run(["git", "--git-dir", source, "ls-tree", "-r", "-z", commit], check=True, capture_output=True, text=True).stdout
    blobs = [(entry.split("\t", 1)[0].split()[2], entry.split("\t", 1)[1]) for entry in listing.split("\0") if entry and " blob " in entry]
    checked = subprocess.run(["git", "--git-dir", source, "cat-file", "--batch-check"], input="\n".join(sha for sha, _ in blobs) + "\n",
                             check=True, capture_output=True, text=True).stdout.splitlines()
    missing = [path for (sha, path), line in zip(blobs, checked) if line.endswith(" missing")]
    if missing:
        say(f"left out, absent from the git directory: {', '.join(missing)}")
    # git still names the absent blobs on stderr, though it leaves them out and succeeds: said only on failure
    with tempfile.TemporaryFile() as errors:
        archive = subprocess.Popen(["git", "--git-dir", source, "archive", commit, "--", "."] + [f":(exclude,literal){p}" for p in missing],
                                   stdout=subprocess.PIPE, stderr=errors)
        subprocess.run(["tar", "x", "-C", str(tree)], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            errors.seek(0)
            raise SystemExit(f"git archive of {commit} failed:\n{errors.read().decode()}")
    marker.write_text(commit)
    return commit, True


def install(tree, state, db, tag):
    """iTop's unattended install: configuration management (with data centre, end-user devices,
    storage and virtualisation), service management, ITIL tickets, changes, known errors, problems;
    no sample data. The choices iTop's recorded figures were measured with."""
    extensions = ["itop-config-mgmt-core", "itop-config-mgmt-datacenter", "itop-config-mgmt-end-user", "itop-config-mgmt-storage",
                  "itop-config-mgmt-virtualization", "itop-service-mgmt-enterprise", "itop-ticket-mgmt-itil",
                  "itop-ticket-mgmt-itil-user-request", "itop-ticket-mgmt-itil-incident", "itop-ticket-mgmt-itil-enhanced-portal",
                  "itop-change-mgmt-itil", "itop-kown-error-mgmt", "itop-problem-mgmt"]
    params = state / "install-params.xml"
    params.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<installation>
  <mode>install</mode>
  <preinstall><copies type="array"/></preinstall>
  <source_dir>datamodels/2.x/</source_dir>
  <datamodel_version>{tag}</datamodel_version>
  <previous_configuration_file></previous_configuration_file>
  <extensions_dir>extensions</extensions_dir>
  <target_env>production</target_env>
  <workspace_dir></workspace_dir>
  <database>
    <server>127.0.0.1:{PORT}</server><user>{DB_USER}</user><pwd>{DB_PASSWORD}</pwd><name>{DATABASE}</name>
    <db_tls_enabled></db_tls_enabled><db_tls_ca></db_tls_ca><prefix></prefix>
  </database>
  <url>http://127.0.0.1/</url>
  <graphviz_path>/usr/bin/dot</graphviz_path>
  <admin_account><user>{ADMIN}</user><pwd>{ADMIN_PASSWORD}</pwd><language>EN US</language></admin_account>
  <language>EN US</language>
  <selected_modules type="array"></selected_modules>
  <selected_extensions type="array">{"".join(f"<item>{e}</item>" for e in extensions)}</selected_extensions>
  <sample_data>0</sample_data>
  <old_addon></old_addon>
  <options type="array"/>
  <mysql_bindir></mysql_bindir>
</installation>
""")
    say("installing iTop (unattended, about a minute)")
    db.empty_database()
    (tree / "conf" / "production" / "config-itop.php").unlink(missing_ok=True)
    with open(state / "install.log", "w") as log:
        subprocess.run(["php", "setup/unattended-install/unattended-install.php", f"--param-file={params}",
                        "--installation_xml=datamodels/2.x/installation.xml"], cwd=tree, stdout=log, stderr=subprocess.STDOUT, check=True)
    if not (tree / "conf" / "production" / "config-itop.php").exists():
        raise SystemExit(f"iTop's install wrote no configuration; see {state / 'install.log'}")
    with open(state / "installed.sql.tmp", "w") as dump:
        subprocess.run(["mariadb-dump", "-S", str(db.socket), "-uroot", "--single-transaction", DATABASE], stdout=dump, check=True)
    (state / "installed.sql.tmp").rename(state / "installed.sql")


def import_command(csv_path, class_name, keys):
    return ["php", "webservices/import.php", f"--auth_user={ADMIN}", f"--auth_pwd={ADMIN_PASSWORD}", "--no_localize=1", "--charset=UTF-8",
            f"--class={class_name}", f"--csvfile={csv_path}", f"--reconciliationkeys={keys}", "--output=summary"]


def summary(text):
    counts = {}
    for line in text.splitlines():
        for key in ("Data Lines", "Issues", "Warnings", "Created", "Updated", "Unchanged"):
            if line.startswith(f"#{key}:"):
                counts[key.lower().replace(" ", "_")] = int(line.split(":", 1)[1])
    if "data_lines" not in counts:
        raise SystemExit("iTop's import gave no summary:\n" + text[-2000:])
    return counts


def busy_ticks():
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def measured_import(tree, db, csv_path, rows, log_path):
    """One import.php run: its wall time, the CPU of PHP and of mariadbd, PHP's peak RSS, and how
    many cores the whole machine kept busy meanwhile (other work included)."""
    db_before, (busy_before, total_before) = db.cpu_seconds(), busy_ticks()
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(import_command(csv_path, "PC", "name"), cwd=tree, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    busy_after, total_after = busy_ticks()
    counts = summary(Path(log_path).read_text())
    if process.returncode != 0 or counts["data_lines"] != rows:
        raise SystemExit(f"iTop's import of {csv_path} failed (exit {process.returncode}); see {log_path}")
    return {
        "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
        "php_cpu_s": usage.ru_utime + usage.ru_stime, "php_max_rss_mb": usage.ru_maxrss / 1024,
        "mariadbd_cpu_s": db.cpu_seconds() - db_before,
        "machine_busy_cores": os.cpu_count() * (busy_after - busy_before) / max(total_after - total_before, 1),
        **counts,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="a git directory of iTop (a clone or a bare mirror) holding --tag")
    parser.add_argument("--tag", default="3.2.0")
    parser.add_argument("--state", required=True, type=Path, help="where the tree, MariaDB and the CSV files are kept")
    parser.add_argument("--fleet", required=True, help="the inventory in Guichet's columns (guichet demo --fleet-csv)")
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    state = args.state.resolve()
    tree, files = state / "itop", state / "csv"
    files.mkdir(parents=True, exist_ok=True)

    initial = workstations(args.fleet, args.rows)
    if not initial:
        raise SystemExit(f"no workstation in {args.fleet}")
    second = moved(initial)
    write_csv(files / "pcs_initial.csv", PC_COLUMNS, [[pc[c] for c in PC_COLUMNS] for pc in initial])
    write_csv(files / "pcs_second.csv", PC_COLUMNS, [[pc[c] for c in PC_COLUMNS] for pc in second])
    references = reference_files(initial + second)
    for class_name, header, _, rows in references:
        write_csv(files / f"{class_name}.csv", header, rows)

    commit, extracted = extract(args.source, args.tag, tree)
    db = MariaDB(state / "mysql")
    db.start()
    try:
        if extracted or not (state / "installed.sql").exists():
            install(tree, state, db, args.tag)
        say("restoring the database as installed")
        db.empty_database()
        with open(state / "installed.sql") as dump:
            subprocess.run(db.client() + [DATABASE], stdin=dump, check=True)
        for class_name, _, keys, rows in references:
            output = subprocess.run(import_command(files / f"{class_name}.csv", class_name, keys), cwd=tree, capture_output=True, text=True)
            counts = summary(output.stdout)
            if output.returncode != 0 or counts["issues"]:
                raise SystemExit(f"iTop refused the {class_name} rows:\n{output.stdout[-2000:]}")
        say("what the PCs name, created first: " + ", ".join(f"{len(rows)} {name}" for name, _, _, rows in references))
        say(f"importing {len(initial):,} PCs into an empty CMDB")
        first = measured_import(tree, db, files / "pcs_initial.csv", len(initial), state / "import-initial.log")
        say(f"{first['seconds']:.1f} s, {first['rows_per_s']:.0f} rows/s; the same PCs again, every 20th in another room")
        again = measured_import(tree, db, files / "pcs_second.csv", len(second), state / "import-second.log")
        again["changed_rows"] = sum(1 for a, b in zip(initial, second) if a != b)
        say(f"{again['seconds']:.1f} s, {again['rows_per_s']:.0f} rows/s")
    finally:
        db.stop()
    php = subprocess.run(["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True).stdout
    mariadb = subprocess.run([MARIADBD, "--version"], capture_output=True, text=True).stdout.split()[2]
    json.dump({"itop": args.tag, "commit": commit, "php": php, "mariadb": mariadb, "columns": PC_COLUMNS,
               "initial": first, "second": again}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
