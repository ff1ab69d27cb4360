namespace MiSS.Build;

/// <summary>Well-known paths of the repository.</summary>
static class Repository
{
    /// <summary>The repository root: the folder holding MiSS.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Solution => Path.Combine(Root, "MiSS.sln");
    public static string CertsDev => Path.Combine(Root, "certs-dev");
    public static string RunDirectory => Path.Combine(Root, ".run");
    public static string ServiceProject => Path.Combine(Root, "src", "MiSS.Service", "MiSS.Service.csproj");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiSS.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run the build program from inside the MiSS repository.");
    }
}
