-- wrk hook for bench/run.py: prints the run's figures as one JSON line after the summary.
-- wrk's own --latency output stops at p99 with p90 below it; the bench needs p50 and p95.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %.0f, "bytes": %.0f, "non_2xx_3xx": %d, '
      .. '"timeouts": %d, "socket_errors": %d, "p50_us": %.0f, "p95_us": %.0f, '
      .. '"p99_us": %.0f, "max_us": %.0f}\n',
    summary.requests, summary.duration, summary.bytes, errors.status, errors.timeout,
    errors.connect + errors.read + errors.write,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
