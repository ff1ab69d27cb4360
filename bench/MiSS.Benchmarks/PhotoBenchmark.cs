using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MiSS.Core.Photos;
using MiSS.Core.Tests.Photos;

namespace MiSS.Benchmarks;

/// <summary>The 12 MP camera photo through <see cref="PhotoProcessor"/>, as BenchmarkDotNet measures it.</summary>
[MemoryDiagnoser]
public class PhotoProcessing
{
    byte[] _input = [];

    /// <summary>Builds the input once (shared with the memory probe through the same generator).</summary>
    [GlobalSetup]
    public void Setup() => _input = SyntheticImages.CameraJpeg12Mp;

    /// <summary>Default options: 2048 px, 1 MB, thumbnail.</summary>
    [Benchmark(Baseline = true)]
    public ProcessedPhoto Defaults() => PhotoProcessor.Process(_input);

    /// <summary>Full resolution, still stripped and re-encoded.</summary>
    [Benchmark]
    public ProcessedPhoto KeepOriginalQuality() => PhotoProcessor.Process(_input, PhotoOptions.Default with { KeepOriginalQuality = true });
}

/// <summary>Runs the photo benchmark, probes peak memory in fresh processes, writes bench/results/photos.md.</summary>
public static class PhotoBenchmark
{
    /// <summary>Hidden command: a child process that processes the photo read on stdin and reports its memory.</summary>
    public const string MemoryProbeCommand = "photos-memory-probe";

    const int ProbeRuns = 3;

    /// <summary>Entry point of <c>photos</c>.</summary>
    public static int Run()
    {
        var root = RepositoryRoot();
        var results = Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(results);

        var clock = Stopwatch.StartNew();
        var input = SyntheticImages.CameraJpeg12Mp;
        var generation = clock.Elapsed;
        var sample = PhotoProcessor.Process(input);
        var (thumbWidth, thumbHeight) = TestVips.Header(sample.Thumbnail, i => (Vips.Width(i), Vips.Height(i)));

        var config = InProcessConfig.Create(results, warmups: 2, iterations: 10, oneInvocation: true);
        var summary = BenchmarkRunner.Run<PhotoProcessing>(config);

        var rows = new List<Row>();
        foreach (var report in summary.Reports)
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var stats = report.ResultStatistics ?? throw new InvalidOperationException($"{name}: no result");
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
            var probe = Probe(input, name);
            rows.Add(new Row(name, stats.Mean / 1e6, stats.StandardDeviation / 1e6, stats.Min / 1e6, stats.Max / 1e6, stats.N, allocated, probe));
        }

        var markdown = Markdown(input, generation, sample, (thumbWidth, thumbHeight), rows);
        var path = Path.Combine(results, "photos.md");
        File.WriteAllText(path, markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"written to {Path.GetRelativePath(root, path)} in {clock.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    /// <summary>Child process: reads the JPEG on stdin, resets the peak RSS, processes it a few times, prints JSON.</summary>
    public static int MemoryProbe(string mode)
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        var input = buffer.ToArray();
        var options = mode == nameof(PhotoProcessing.KeepOriginalQuality) ? PhotoOptions.Default with { KeepOriginalQuality = true } : PhotoOptions.Default;

        GC.Collect();
        var rssBefore = Status("VmRSS");
        var reset = TryResetPeakRss();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        ProcessedPhoto? result = null;
        for (var i = 0; i < ProbeRuns; i++)
        {
            result = PhotoProcessor.Process(input, options);
        }
        var probe = new ProbeResult(
            VipsHighWater: Vips.MemoryHighWater,
            VmHwm: Status("VmHWM"),
            VmRssBefore: rssBefore,
            PeakReset: reset,
            ManagedPerOp: (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / ProbeRuns,
            OutputBytes: result!.Bytes.Length,
            Width: result.Width,
            Height: result.Height);
        Console.WriteLine(JsonSerializer.Serialize(probe));
        return 0;
    }

    static ProbeResult Probe(byte[] input, string mode)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PhotoBenchmark).Assembly.Location);
        }
        start.ArgumentList.Add(MemoryProbeCommand);
        start.ArgumentList.Add(mode);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("probe did not start");
        child.StandardInput.BaseStream.Write(input);
        child.StandardInput.Close();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"probe failed with exit code {child.ExitCode}");
        }
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        return JsonSerializer.Deserialize<ProbeResult>(json) ?? throw new InvalidOperationException("probe printed nothing");
    }

    static string Markdown(byte[] input, TimeSpan generation, ProcessedPhoto sample, (int W, int H) thumbnail, List<Row> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Photo processing benchmark");
        md.AppendLine();
        md.AppendLine(inv, $"Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `dotnet run -c Release --project bench/MiSS.Benchmarks -- photos`. Not versioned: rerun to refresh.");
        md.AppendLine();
        md.AppendLine(inv, $"- Machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {MemTotal()}; {RuntimeInformation.OSDescription}");
        md.AppendLine(inv, $"- Runtime: {RuntimeInformation.FrameworkDescription}, libvips {VipsVersion()}");
        md.AppendLine(inv, $"- Input: generated camera-like JPEG 4000×3000 (12 MP), quality 92, {input.Length / 1e6:0.0} MB, with EXIF (orientation, GPS, make/model/serial), XMP, IPTC and a comment; built in {generation.TotalMilliseconds:0} ms");
        md.AppendLine(inv, $"- Default output: {sample.MediaType} {sample.Width}×{sample.Height}, {sample.Bytes.Length / 1000.0:0} kB; thumbnail {thumbnail.W}×{thumbnail.H}, {sample.Thumbnail.Length / 1000.0:0.0} kB");
        md.AppendLine();
        md.AppendLine("| Options | Mean | StdDev | Min | Max | Managed alloc/op | libvips high-water | Peak RSS (VmHWM) | RSS before | Output |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            var p = r.Probe;
            md.AppendLine(inv,
                $"| {r.Name} | {r.MeanMs:0.0} ms | {r.StdDevMs:0.0} ms | {r.MinMs:0.0} ms | {r.MaxMs:0.0} ms | {r.AllocatedPerOp / 1e6:0.00} MB | {p.VipsHighWater / 1e6:0.0} MB | {p.VmHwm / 1e6:0.0} MB | {p.VmRssBefore / 1e6:0.0} MB | {p.Width}×{p.Height}, {p.OutputBytes / 1000.0:0} kB |");
        }
        md.AppendLine();
        md.AppendLine(inv, $"Time and managed allocations: BenchmarkDotNet 0.14.0, in-process, {rows.FirstOrDefault()?.Iterations ?? 0} iterations of one call after 2 warm-ups.");
        md.AppendLine(inv, $"Memory: a fresh child process per row reads the input, then processes it {ProbeRuns} times. libvips high-water is `vips_tracked_get_mem_highwater()` (pixel buffers libvips tracks, since process start: libvips is only used by the processor there). Peak RSS is VmHWM from /proc/self/status, {(rows.All(r => r.Probe.PeakReset) ? "reset (clear_refs 5) after reading the input, so it covers the processing and the runtime" : "NOT reset (clear_refs unavailable): it includes start-up")}; RSS before is VmRSS at that point, input included.");
        return md.ToString();
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiSS.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    static bool TryResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A "kB" line of /proc/self/status, in bytes.</summary>
    static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }
        return -1;
    }

    static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    static string MemTotal()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? "unknown memory" : $"{long.Parse(line[9..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0} GiB RAM";
    }

    static string VipsVersion() => Marshal.PtrToStringUTF8(vips_version_string()) ?? "?";

    [DllImport("libvips.so.42")]
    static extern IntPtr vips_version_string();

    sealed record Row(string Name, double MeanMs, double StdDevMs, double MinMs, double MaxMs, int Iterations, long AllocatedPerOp, ProbeResult Probe);

    /// <summary>What the child process reports.</summary>
    public sealed record ProbeResult(long VipsHighWater, long VmHwm, long VmRssBefore, bool PeakReset, long ManagedPerOp, int OutputBytes, int Width, int Height);
}
