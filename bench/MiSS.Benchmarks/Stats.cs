namespace MiSS.Benchmarks;

/// <summary>Median and percentiles of measured durations, in milliseconds.</summary>
sealed record Stats(double Median, double P95, double Min, double Max, int Count)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new InvalidOperationException("no measurement");
        }
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Stats(At(0.5), At(0.95), sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>Runs <paramref name="step"/> once to warm up, then <paramref name="runs"/> times, timed.</summary>
    public static Stats Measure(Action step, int runs)
    {
        step();
        var samples = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            step();
            samples.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Of(samples);
    }

    public override string ToString() => $"{Median:0.0} ms (p95 {P95:0.0}, min {Min:0.0}, max {Max:0.0}, n={Count})";
}
