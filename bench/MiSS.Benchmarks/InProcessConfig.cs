using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace MiSS.Benchmarks;

/// <summary>
/// The BenchmarkDotNet setup of every in-process benchmark here: one launch in this process (no child build, which the
/// package mirror could not always restore), managed allocations measured, artifacts under bench/results.
/// </summary>
static class InProcessConfig
{
    public static IConfig Create(string results, int warmups, int iterations, bool oneInvocation = false)
    {
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(warmups)
            .WithIterationCount(iterations).WithId("short");
        if (oneInvocation)
        {
            // Operations long enough to time one by one (a photo): no batching of invocations.
            job = job.WithInvocationCount(1).WithUnrollFactor(1);
        }
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(Path.Combine(results, "BenchmarkDotNet.Artifacts"))
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
