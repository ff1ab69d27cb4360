using MiSS.Benchmarks;

// Benchmarks of MiSS.Core.
//   dotnet run -c Release --project bench/MiSS.Benchmarks -- photos
// writes bench/results/photos.md (a generated artifact, not versioned) and prints it.
//   dotnet run -c Release --project bench/MiSS.Benchmarks -- directory [--rows N]
// imports a generated national-size MSSanté extraction (400,000 rows) and times searches: bench/results/directory.md.
//   dotnet run -c Release --project bench/MiSS.Benchmarks -- directory-sample FILE [--rows N]
// writes such an extraction (the real 31-column layout, duplicates and bad rows) for trying `miss directory import`.
return args switch
{
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
    Console.Error.WriteLine("usage: MiSS.Benchmarks photos | directory [--rows N] | directory-sample FILE [--rows N]");
    return 2;
}
