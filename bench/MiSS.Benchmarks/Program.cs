using MiSS.Benchmarks;

// Benchmarks of MiSS.Core.
//   dotnet run -c Release --project bench/MiSS.Benchmarks -- photos
// writes bench/results/photos.md (a generated artifact, not versioned) and prints it.
return args switch
{
    ["photos"] => PhotoBenchmark.Run(),
    [PhotoBenchmark.MemoryProbeCommand, var mode] => PhotoBenchmark.MemoryProbe(mode),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MiSS.Benchmarks photos");
    return 2;
}
