using System.Diagnostics;
using System.Globalization;
using System.Text;
using MiSS.Benchmarks.EndToEnd;
using MiSS.DevEnvironment;

namespace MiSS.Benchmarks;

/// <summary>Cold start of the service (`miss run`, a new process) to its API answering, and its memory when idle.</summary>
static class FootprintBenchmark
{
    const int Runs = 5;

    public static async Task<string> RunAsync(BenchWorld world)
    {
        var starts = new List<double>();
        var idle = new List<long>();
        for (var run = 0; run < Runs; run++)
        {
            var practitioner = DevPki.Practitioners[0];
            var dataDirectory = BenchWorld.NewDataDirectory(practitioner);
            var port = LoopbackPorts.Free();
            var config = DevInstanceSettings.Write(world.SettingsFor(practitioner, dataDirectory, port), dataDirectory);
            var started = Stopwatch.GetTimestamp();
            using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "miss.dll"), "run", "--config", config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}") };
            while (true)
            {
                try
                {
                    var token = Path.Combine(dataDirectory, "api-token");
                    if (File.Exists(token))
                    {
                        http.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(token)).Trim());
                        if ((await http.GetAsync("/api/status")).IsSuccessStatusCode)
                        {
                            break;
                        }
                    }
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(10);
            }
            starts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(TimeSpan.FromSeconds(10)); // idle: the watcher in IDLE, the outbox polling
            idle.Add(Rss(process.Id));
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
        var start = Stats.Of(starts);
        var memory = idle.Order().ToList()[idle.Count / 2];
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("| measure | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine(inv, $"| cold start: `dotnet miss.dll run` to `/api/status` answering (median of {Runs}, first store creation included) | {start.Median:0} ms (min {start.Min:0}, max {start.Max:0}) |");
        md.AppendLine(inv, $"| idle memory 10 s after start (VmRSS, median of {Runs}) | {memory / 1_048_576.0:0.0} MiB |");
        return md.ToString();
    }

    static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
