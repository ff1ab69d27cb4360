using MiSS.Benchmarks;

// Benchmarks of MiSS (./build.sh bench runs `all`):
//   all [crypto|store|latency|burst|footprint|photos ...]
//              every benchmark (or those named) in one run, about 10 minutes here; rewrites their sections of
//              docs/performance.md between their markers
//   photos     photo processing time and memory
// Results go to bench/results/ (generated, not versioned).
return args switch
{
    ["all", .. var only] => await PerformanceReport.RunAsync(only),
    ["photos"] => PhotoBenchmark.Run(),
    [PhotoBenchmark.MemoryProbeCommand, var mode] => PhotoBenchmark.MemoryProbe(mode),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MiSS.Benchmarks all | photos");
    return 2;
}
