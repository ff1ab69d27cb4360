using MiSS.Benchmarks;

// Benchmarks of MiSS (./build.sh bench runs `all`):
//   all [crypto|store|latency|burst|footprint|directory|photos ...]
//              every benchmark (or those named) in one run, about 10 minutes here; rewrites their sections of
//              docs/performance.md between their markers
//   photos     photo processing time and memory
// Results go to bench/results/ (generated, not versioned).
//   directory [--rows N]
//              imports a generated national-size MSSanté extraction (400,000 rows) and times searches
//   directory-sample FILE [--rows N]
//              writes such an extraction (the real 31-column layout, duplicates and bad rows) for `miss directory import`
return args switch
{
    ["all", .. var only] => await PerformanceReport.RunAsync(only),
    ["photos"] => PhotoBenchmark.Run(),
    ["directory"] => DirectoryBenchmark.Run(400_000),
    ["directory", "--rows", var rows] => DirectoryBenchmark.Run(int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture)),
    ["directory-sample", var file] => DirectoryBenchmark.WriteSample(file, 400_000),
    ["directory-sample", var file, "--rows", var rows] => DirectoryBenchmark.WriteSample(file, int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture)),
    [PhotoBenchmark.MemoryProbeCommand, var mode] => PhotoBenchmark.MemoryProbe(mode),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MiSS.Benchmarks all [section ...] | photos | directory [--rows N] | directory-sample FILE [--rows N]");
    return 2;
}
