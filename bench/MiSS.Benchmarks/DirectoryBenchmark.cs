using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Storage;

namespace MiSS.Benchmarks;

/// <summary>
/// The national directory: importing a national-size MSSanté extraction (generated, 400,000 rows by default) into a
/// fresh store, then the latency of typical searches. A one-shot import is timed with a stopwatch (BenchmarkDotNet's
/// repeated iterations would mean minutes of re-imports); searches are repeated and their median and 95th percentile kept.
/// </summary>
public static class DirectoryBenchmark
{
    /// <summary>The generator command: writes a sample extraction.</summary>
    public static int WriteSample(string path, int rows)
    {
        var watch = Stopwatch.StartNew();
        var summary = ExtractionSample.Write(path, rows);
        Console.WriteLine($"{path} : {summary.Rows:N0} lignes, {summary.Distinct:N0} adresses distinctes, {summary.Duplicates:N0} doublons, "
            + $"{summary.BadLines.Count:N0} lignes erronées ({watch.Elapsed.TotalSeconds:F1} s)");
        return 0;
    }

    /// <summary>Runs the benchmark and writes bench/results/directory.md.</summary>
    public static int Run(int rows)
    {
        var folder = Directory.CreateTempSubdirectory("miss-directory-bench-").FullName;
        try
        {
            var file = Path.Combine(folder, "Extraction_Correspondance_MSSante.txt");
            var generation = Stopwatch.StartNew();
            var summary = ExtractionSample.Write(file, rows);
            generation.Stop();
            var store = DirectoryStore.Open(Path.Combine(folder, DirectoryDatabase.FileName));
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var result = new MssanteExtractionImporter(store).ImportAsync(file).GetAwaiter().GetResult();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            var peak = Environment.WorkingSet;
            if (result.Imported != summary.Distinct || result.Duplicates != summary.Duplicates || result.Rejected.Count != summary.BadLines.Count)
            {
                Console.Error.WriteLine($"counts differ: imported {result.Imported} / {summary.Distinct}, duplicates {result.Duplicates} / {summary.Duplicates}, rejected {result.Rejected.Count} / {summary.BadLines.Count}");
                return 1;
            }
            string[] queries = ["martin", "mar", "Lefèvre Hélène", "dupont jean", "infirmier nantes", "cardiologie lyon", "75011", "le gall", "m", "1000000123"];
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"# Directory benchmark");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Extraction: {rows:N0} rows, {new FileInfo(file).Length / 1e6:F1} MB, generated in {generation.Elapsed.TotalSeconds:F1} s");
            report.AppendLine(CultureInfo.InvariantCulture, $"Import: {result.Elapsed.TotalSeconds:F1} s ({rows / result.Elapsed.TotalSeconds:N0} rows/s), {result.Imported:N0} mailboxes, {result.Duplicates:N0} duplicates, {result.Rejected.Count:N0} rejected; managed allocations {allocated / 1e6:N0} MB, working set after {peak / 1e6:N0} MB; directory.db {new FileInfo(Path.Combine(folder, DirectoryDatabase.FileName)).Length / 1e6:F0} MB");
            report.AppendLine();
            report.AppendLine("| query | results | median | p95 |");
            report.AppendLine("|---|---:|---:|---:|");
            foreach (var query in queries)
            {
                var count = store.SearchAsync(query).GetAwaiter().GetResult().Count; // warm-up
                var times = new List<double>();
                for (var i = 0; i < 50; i++)
                {
                    var watch = Stopwatch.StartNew();
                    store.SearchAsync(query).GetAwaiter().GetResult();
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                report.AppendLine(CultureInfo.InvariantCulture, $"| `{query}` | {count} | {times[times.Count / 2]:F2} ms | {times[(int)(times.Count * 0.95)]:F2} ms |");
            }
            var output = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results");
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "directory.md"), report.ToString());
            Console.WriteLine(report);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
