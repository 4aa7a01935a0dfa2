#!/usr/bin/python3
"""Import speed and memory, side by side with peers, on generated 100k-point files (`make bench`).

    bench/formats/run.py --binary build/release/apps/strava1/strava1 [--points 100000] [--rounds 3]

Generates one GPX, one TCX (both written here) and one FIT (written by the official Garmin FIT SDK's
encoder, bench/formats/make_fit.mjs) of the same synthetic ride, then alternates, round by round:

  GPX: `strava1 inspect` vs GPSBabel (reading only: `-x nuketypes`) vs gpxpy (Debian python3-gpxpy)
  TCX: `strava1 inspect` vs GPSBabel (`-i gtrnctr`)
  FIT: `strava1 inspect --repeat` vs @garmin/fitsdk's Decoder in node (tests/fitsdk/dump.mjs --time)

GPSBabel, gpxpy and our binary are each measured as whole processes (user + system CPU from wait4,
start-up and file read included for all of them); the FIT SDK reports its own decode time, since
node's start-up alone would dwarf it, and is compared with our parse time (best of 5 in-process).
Peak memory is what our process needs beyond the input bytes themselves (which the caller holds:
an upload's body): its maximum RSS on the big file, minus that on a tiny file of the same format,
minus the file's size, over the file's size. Prints a markdown table and writes bench/results/formats-<UTC>.json.
"""

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
START = datetime.datetime(2024, 5, 4, 7, 0, 0, tzinfo=datetime.timezone.utc)


def points(n):
    dist = 0.0
    for i in range(n):
        speed = 3 + math.sin(i / 300)
        dist += speed
        t = START + datetime.timedelta(seconds=i)
        yield (t.strftime("%Y-%m-%dT%H:%M:%SZ"), 46.0 + i * 1e-5, 14.5 + math.sin(i / 1000) * 0.01,
               300 + 50 * math.sin(i / 500), dist, 120 + i % 40, 85 + i % 10, 180 + i % 60)


def write_gpx(path, n):
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="strava1 bench" '
                'xmlns="http://www.topografix.com/GPX/1/1" '
                'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
                '<trk><name>bench ride</name><type>cycling</type><trkseg>\n')
        for t, lat, lon, ele, _, hr, cad, _ in points(n):
            f.write(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{ele:.1f}</ele><time>{t}</time><extensions>'
                    f'<gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr><gpxtpx:cad>{cad}</gpxtpx:cad>'
                    f'</gpxtpx:TrackPointExtension></extensions></trkpt>\n')
        f.write('</trkseg></trk>\n</gpx>\n')


def write_tcx(path, n):
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
                'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
                'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
                f'<Activities><Activity Sport="Biking"><Id>{START.strftime("%Y-%m-%dT%H:%M:%SZ")}</Id>\n'
                f'<Lap StartTime="{START.strftime("%Y-%m-%dT%H:%M:%SZ")}"><TotalTimeSeconds>{n - 1}</TotalTimeSeconds>'
                '<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n')
        for t, lat, lon, ele, dist, hr, cad, watts in points(n):
            f.write(f'<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>{lat:.7f}</LatitudeDegrees>'
                    f'<LongitudeDegrees>{lon:.7f}</LongitudeDegrees></Position><AltitudeMeters>{ele:.1f}'
                    f'</AltitudeMeters><DistanceMeters>{dist:.1f}</DistanceMeters><HeartRateBpm><Value>{hr}'
                    f'</Value></HeartRateBpm><Cadence>{cad}</Cadence><Extensions><ns3:TPX><ns3:Watts>{watts}'
                    '</ns3:Watts></ns3:TPX></Extensions></Trackpoint>\n')
        f.write('</Track></Lap></Activity></Activities>\n</TrainingCenterDatabase>\n')


def GPSBABEL_READ(fmt, path):
    """GPSBabel reading only: every track, route and waypoint is dropped before its writer runs, so
    the measurement is its parser (and start-up), not its output formatting."""
    return ["gpsbabel", "-t", "-i", fmt, "-f", path, "-x", "nuketypes,waypoints,tracks,routes",
            "-o", "unicsv", "-F", "/dev/null"]


def run(argv, stdin=None):
    """Runs argv to completion; returns (stdout, cpu_seconds, max_rss_kib)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, stdin=stdin)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {text[:400]}")
    return text, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--results-dir", default=os.path.join(ROOT, "bench", "results"))
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="strava1-formats-bench.")
    files = {}
    for fmt, writer in (("gpx", write_gpx), ("tcx", write_tcx)):
        for name, n in (("big", args.points), ("tiny", 10)):
            path = os.path.join(work, f"{name}.{fmt}")
            writer(path, n)
            files[(fmt, name)] = path
    for name, n in (("big", args.points), ("tiny", 10)):
        path = os.path.join(work, f"{name}.fit")
        run(["node", os.path.join(HERE, "make_fit.mjs"), path, str(n)])
        files[("fit", name)] = path

    peers = {
        "gpx": {
            "GPSBabel": lambda f: run(GPSBABEL_READ("gpx", f))[1],
            "gpxpy": lambda f: run(["/usr/bin/python3", "-c",
                                    "import sys, gpxpy; gpxpy.parse(open(sys.argv[1], encoding='utf-8'))", f])[1],
        },
        "tcx": {
            "GPSBabel": lambda f: run(GPSBABEL_READ("gtrnctr", f))[1],
        },
        "fit": {
            "@garmin/fitsdk": lambda f: json.loads(run(["node", os.path.join(ROOT, "tests", "fitsdk", "dump.mjs"),
                                                        "--time", f, "3"])[0])["mean_ms"] / 1000.0,
        },
    }
    targets = {("gpx", "GPSBabel"): 20, ("gpx", "gpxpy"): 70, ("tcx", "GPSBabel"): 20, ("fit", "@garmin/fitsdk"): 20}

    def ours(fmt, which):
        path = files[(fmt, which)]
        if fmt == "fit":
            text, _, rss = run([args.binary, "inspect", "--repeat=5", path])
            return json.loads(text)["parse_ms"] / 1000.0, rss, json.loads(text)
        text, cpu, rss = run([args.binary, "inspect", path])
        return cpu, rss, json.loads(text)

    results = {}
    for fmt in ("gpx", "tcx", "fit"):
        size = os.path.getsize(files[(fmt, "big")])
        _, tiny_rss, _ = ours(fmt, "tiny")
        rows = {"strava1": [], **{peer: [] for peer in peers[fmt]}}
        rss_values = []
        summary = None
        for _ in range(args.rounds):
            seconds, rss, summary = ours(fmt, "big")
            rows["strava1"].append(seconds)
            rss_values.append(rss)
            for peer, measure in peers[fmt].items():
                rows[peer].append(measure(files[(fmt, "big")]))
        activity = summary["activities"][0]
        results[fmt] = {
            "file_bytes": size,
            "points": activity["points"],
            "seconds": {k: statistics.median(v) for k, v in rows.items()},
            "peak_extra_bytes": (statistics.median(rss_values) - tiny_rss) * 1024 - size,
        }

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [f"## Import ({args.points:,}-point generated files; medians of {args.rounds} alternating rounds)", "",
             "| format | file | points | ours | peer | peer time | ratio | target | peak memory / file size |",
             "|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for fmt, r in results.items():
        ours_s = r["seconds"]["strava1"]
        # Mapped input pages may be dropped behind the parse (MADV_SEQUENTIAL), so the estimate can
        # dip below zero; the allocation peak itself is asserted by the formats unit tests.
        mem = max(0.0, r["peak_extra_bytes"] / r["file_bytes"])
        for peer in peers[fmt]:
            ratio = r["seconds"][peer] / ours_s
            target = targets[(fmt, peer)]
            verdicts.append((f"{fmt.upper()} parse vs {peer}", ratio, target))
            lines.append(f"| {fmt.upper()} | {r['file_bytes'] / 1e6:.1f} MB | {r['points']:,} | {ours_s * 1000:.1f} ms | "
                         f"{peer} | {r['seconds'][peer] * 1000:.0f} ms | {ratio:.1f}x | >= {target}x "
                         f"({'PASS' if ratio >= target else 'FAIL'}) | {mem:.2f} ({'PASS' if mem <= 2 else 'FAIL'}) |")
    lines += ["", "GPSBabel, gpxpy and ours: whole-process CPU (start-up and file read included). FIT: in-process "
              "decode time for both (best of 5 for ours, mean of 3 for the SDK). Peak memory: our max RSS on the "
              "big file, minus on a 10-point file, minus the input itself."]
    print("\n".join(lines))
    os.makedirs(args.results_dir, exist_ok=True)
    with open(os.path.join(args.results_dir, f"formats-{stamp}.json"), "w") as f:
        json.dump({"results": results, "verdicts": verdicts}, f, indent=2)
    with open(os.path.join(args.results_dir, "formats-latest.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
