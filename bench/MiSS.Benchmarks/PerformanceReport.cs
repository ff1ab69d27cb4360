using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using MiSS.Benchmarks.EndToEnd;
using MiSS.DevEnvironment;

namespace MiSS.Benchmarks;

/// <summary>
/// `all`: every benchmark in one run (in-process pieces, the national directory, then end to end on a fresh local mail server), each section
/// written to bench/results/ and into docs/performance.md between its markers, with the machine and the date.
/// </summary>
static partial class PerformanceReport
{
    /// <summary>Runs every section, or only those named in <paramref name="only"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyCollection<string> only)
    {
        bool Wanted(string name) => only.Count == 0 || only.Contains(name);
        var root = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("MiSS.sln not found");
        var results = Directory.CreateDirectory(Path.Combine(root, "bench", "results")).FullName;
        var clock = Stopwatch.StartNew();
        var sections = new List<(string Name, string Title, string Markdown)>();

        if (Wanted("crypto"))
        {
            sections.Add(("crypto", "Crypto: seal and open against the RSA floor", CryptoBenchmark.Run(results)));
        }
        if (Wanted("store"))
        {
            sections.Add(("store", "Store at scale: 100,000 messages", await StoreScaleBenchmark.RunAsync()));
        }
        if (Wanted("latency") || Wanted("burst") || Wanted("footprint"))
        {
            await using var world = await BenchWorld.StartAsync();
            if (Wanted("latency"))
            {
                sections.Add(("latency", "End to end: from the API call on A to the event on B", await LatencyBenchmark.RunAsync(world)));
            }
            if (Wanted("burst"))
            {
                sections.Add(("burst", "Burst: 1,000 messages at once", await BurstBenchmark.RunAsync(world)));
            }
            if (Wanted("footprint"))
            {
                sections.Add(("footprint", "Cold start and idle memory", await FootprintBenchmark.RunAsync(world)));
            }
        }
        if (Wanted("directory") && DirectoryBenchmark.Run(400_000) == 0)
        {
            sections.Add(("directory", "National directory: importing and searching 400,000 mailboxes",
                await File.ReadAllTextAsync(Path.Combine(results, "directory.md"))));
        }
        if (Wanted("photos") && PhotoBenchmark.Run() == 0)
        {
            sections.Add(("photos", "Photos: a 12-megapixel phone photo", await File.ReadAllTextAsync(Path.Combine(results, "photos.md"))));
        }

        var machine = Machine();
        var document = Path.Combine(root, "docs", "performance.md");
        var text = await File.ReadAllTextAsync(document);
        foreach (var (name, title, markdown) in sections)
        {
            await File.WriteAllTextAsync(Path.Combine(results, name + ".md"), markdown);
            text = Replace(text, name, title, $"_Measured {DateTime.UtcNow:yyyy-MM-dd} by `./build.sh bench` on {machine}._\n\n{markdown.TrimEnd()}\n");
        }
        await File.WriteAllTextAsync(document, text);
        Console.WriteLine($"docs/performance.md rewritten ({sections.Count} sections) in {clock.Elapsed.TotalMinutes:0.0} min");
        return 0;
    }

    /// <summary>Replaces a generated section (between its markers), or appends it with its title.</summary>
    static string Replace(string document, string name, string title, string body)
    {
        var begin = $"<!-- bench:{name} -->";
        var end = $"<!-- /bench:{name} -->";
        var from = document.IndexOf(begin, StringComparison.Ordinal);
        var to = document.IndexOf(end, StringComparison.Ordinal);
        if (from >= 0 && to > from)
        {
            return document[..(from + begin.Length)] + "\n" + body + document[to..];
        }
        return document.TrimEnd() + $"\n\n## {title}\n\n{begin}\n{body}{end}\n";
    }

    static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }
}
