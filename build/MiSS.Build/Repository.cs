using MiSS.DevEnvironment;

namespace MiSS.Build;

/// <summary>Well-known paths of the repository.</summary>
static class Repository
{
    /// <summary>The repository root: the folder holding MiSS.sln.</summary>
    public static string Root { get; } = RepositoryLayout.FindRoot(Directory.GetCurrentDirectory())
        ?? throw new InvalidOperationException("Run the build program from inside the MiSS repository.");

    public static string Solution => Path.Combine(Root, "MiSS.sln");
    public static string CertsDev => Path.Combine(Root, "certs-dev");
    public static string RunDirectory => Path.Combine(Root, ".run");
    public static string ServiceProject => Path.Combine(Root, "src", "MiSS.Service", "MiSS.Service.csproj");

    /// <summary>The benchmarks.</summary>
    public static string BenchProject => Path.Combine(Root, "bench", "MiSS.Benchmarks", "MiSS.Benchmarks.csproj");
}
