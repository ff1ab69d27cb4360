namespace MiSS.DevEnvironment;

/// <summary>Where the repository is, for the build program and the tests.</summary>
public static class RepositoryLayout
{
    /// <summary>The repository root: the first folder holding MiSS.sln at or above <paramref name="start"/>, or null.</summary>
    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiSS.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
