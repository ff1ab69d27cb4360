namespace MiSS.DevEnvironment;

/// <summary>File modes on Unix; a no-op on Windows, where the dev environment relies on the user profile's ACLs.</summary>
public static class UnixPermissions
{
    /// <summary>Read and write for the owner only (private keys, passwords).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Sets the mode of a file or folder.</summary>
    public static void Set(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
