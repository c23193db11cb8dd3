"""The table `make bench` prints, from the results it writes to bench/results.json."""


def _n(value):
    return f"{value:,}"


def rows(results):
    """(benchmark, measured, baseline, ratio, target, result) per line of the table."""
    benchmarks = results["benchmarks"]
    lines = []
    if "B1" in benchmarks:
        b1 = benchmarks["B1"]
        pipeline, baseline = b1["pipeline"], b1["baseline"]
        lines.append(
            (
                f"B1 fan-out, {_n(pipeline['members'])} members, {pipeline['zones']} zones",
                f"{pipeline['messages_per_second']:,.0f} msg/s ({pipeline['seconds']:.1f} s)",
                f"{baseline['messages_per_second']:,.0f} msg/s ({baseline['seconds']:.1f} s)",
                f"{b1['ratio']:.2f}",
                b1["target"],
                _verdict(b1),
            )
        )
    if "B2" in benchmarks:
        b2 = benchmarks["B2"]
        for index, size in enumerate(b2["sizes"]):
            last = index == len(b2["sizes"]) - 1
            lines.append(
                (
                    f"B2 tick, {_n(size['members'])} members ({_n(size['dispatched'])} planned)",
                    f"{size['seconds'] * 1000:,.0f} ms, {size['queries']} queries",
                    "",
                    "",
                    b2["target"] if last else "",
                    _verdict(b2) if last else "",
                )
            )
    if "B3" in benchmarks:
        b3 = benchmarks["B3"]
        pages = b3["pages"]
        base = pages["baseline"]
        lines.append(
            (
                "B3 baseline: plain Wagtail page",
                f"{base['rps']:,.1f} req/s, p50 {base['p50_ms']:.0f} ms, p95 {base['p95_ms']:.0f} ms",
                "",
                "",
                "",
                "",
            )
        )
        for name, figures in pages.items():
            if name == "baseline":
                continue
            reference = "pass" not in figures
            ratio = f"{figures['ratio']:.2f}"
            target = ">= 0.7"
            if "ratio_to_admin_frame" in figures:
                ratio += f" ({figures['ratio_to_admin_frame']:.2f} of the admin frame)"
                target = ">= 0.7 of the admin frame"
            lines.append(
                (
                    f"B3 {name}",
                    f"{figures['rps']:,.1f} req/s, p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms",
                    f"{figures['baseline_rps']:,.1f} req/s",
                    ratio,
                    "" if reference else target,
                    "" if reference else ("pass" if figures["pass"] else "FAIL"),
                )
            )
    if "B4" in benchmarks:
        b4 = benchmarks["B4"]
        fanout = b4["fanout"]
        workers = ", ".join(f"{row['role']} {row['peak_mb']:.0f}" for row in fanout["workers"])
        lines.append(
            (
                f"B4 peak RSS, {_n(fanout['members'])} fan-out",
                f"{workers} MB ({fanout['messages_per_second']:,.0f} msg/s)",
                "",
                "",
                b4["target"],
                _verdict(b4),
            )
        )
    if "B5" in benchmarks:
        b5 = benchmarks["B5"]
        pipeline, baseline = b5["pipeline"], b5["baseline"]
        lines.append(
            (
                f"B5 replies by email, {_n(pipeline['replies'])} over SMTP → drafts",
                f"{pipeline['messages_per_second']:,.0f} msg/s ({pipeline['seconds']:.1f} s), "
                f"p95 {pipeline['p95_ms']:,.0f} ms",
                f"{baseline['messages_per_second']:,.0f} msg/s ({baseline['seconds']:.1f} s), "
                f"p95 {baseline['p95_ms']:,.1f} ms",
                f"{b5['ratio']:.2f}",
                b5["target"],
                _verdict(b5),
            )
        )
    return lines


def _verdict(result):
    if not result.get("complete", True):
        return "INCOMPLETE"
    return "pass" if result["pass"] else "FAIL"


def table(results):
    header = ("Benchmark", "Measured", "Baseline (same run)", "Ratio", "Target", "Result")
    body = rows(results)
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]

    def line(row):
        return "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    machine = results["machine"]
    out = [
        line(header),
        line(tuple("-" * width for width in widths)),
        *(line(row) for row in body),
        "",
        f"{results['mode']} run, {results['seconds']:.0f} s; {machine['cpus']} CPUs ({machine['cpu_model']}), "
        f"load average {machine['load_start'][0]:.2f} at start and {machine['load_end'][0]:.2f} at the end.",
    ]
    return "\n".join(out)


def markdown(results):
    """The same table as Markdown, for the README."""
    header = ("Benchmark", "Measured", "Baseline (same run)", "Ratio", "Target", "Result")
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows(results):
        out.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(out)
