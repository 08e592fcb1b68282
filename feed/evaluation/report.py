"""Plain-text tables for evaluation and benchmark results (no Django)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

METHOD_ORDER = ("engine", "itemknn", "hybrid", "popularity", "content_only", "random")


def _metric_order(names: Sequence[str]) -> list[str]:
    def key(name: str) -> tuple[int, str]:
        metric, _, k = name.partition("@")
        order = ["recall", "ndcg", "coverage", "ild", "fresh"]
        return (
            int(k) if k.isdigit() else 0,
            str(order.index(metric)) if metric in order else metric,
        )

    return sorted(names, key=key)


def methods_table(methods: Mapping[str, Mapping[str, float]]) -> str:
    """Metrics as rows, methods as columns."""
    columns = [m for m in METHOD_ORDER if m in methods] + [
        m for m in methods if m not in METHOD_ORDER
    ]
    metrics = _metric_order(sorted({name for values in methods.values() for name in values}))
    width = max([len(c) for c in columns] + [8])
    lines = ["metric".ljust(12) + "".join(c.rjust(width + 2) for c in columns)]
    lines.append("-" * len(lines[0]))
    for metric in metrics:
        cells = []
        for column in columns:
            value = methods[column].get(metric)
            cells.append(("-" if value is None else f"{value:.4f}").rjust(width + 2))
        lines.append(metric.ljust(12) + "".join(cells))
    return "\n".join(lines)


def relative_gain(engine: float, baseline: float) -> str:
    """'+0.0420 (+35.0%)' - absolute and relative improvement of the engine over a baseline."""
    delta = engine - baseline
    relative = f"{100.0 * delta / baseline:+.1f}%" if baseline > 0 else "n/a"
    return f"{delta:+.4f} ({relative})"


def latency_table(rows: Mapping[str, Mapping[str, float]]) -> str:
    header = f"{'measurement':<16}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}"
    lines = [header, "-" * len(header)]
    for name, figures in rows.items():
        lines.append(
            f"{name:<16}{int(figures.get('n', 0)):>7}{figures['p50_ms']:>10.1f}"
            f"{figures['p95_ms']:>10.1f}{figures['p99_ms']:>10.1f}"
            f"{figures.get('mean_ms', 0.0):>10.1f}"
        )
    return "\n".join(lines)


def percentiles_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean in milliseconds of latency samples given in seconds."""
    import numpy as np

    if not samples_s:
        return {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "mean_ms": 0.0}
    values = np.asarray(samples_s, dtype=np.float64) * 1000.0
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        "n": len(values),
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "p99_ms": round(float(p99), 2),
        "mean_ms": round(float(values.mean()), 2),
    }
