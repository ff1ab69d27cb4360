using MiSS.DevEnvironment;

namespace MiSS.Build;

/// <summary>Installs what the demo and the tests need from Debian's packages, when it is missing.</summary>
static class SystemSetup
{
    // libvips processes photos (MiSS.Core/Photos); python3 plays an ordinary mail client in the interop tests.
    static readonly string[] Packages = ["dovecot-imapd", "dovecot-lmtpd", "postfix", "openssl", "libvips42", "python3"];

    // The browser tests drive Debian's Chromium through Playwright; a font so that screenshots show text.
    static readonly string[] BrowserPackages = ["chromium", "fonts-dejavu-core"];

    /// <summary>Debian's Chromium, as the browser tests launch it.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    static bool LibvipsInstalled => File.Exists("/usr/lib/x86_64-linux-gnu/libvips.so.42") || File.Exists("/usr/lib/aarch64-linux-gnu/libvips.so.42")
                                    || File.Exists("/usr/lib/libvips.so.42");

    /// <summary>Installs what is missing; with <paramref name="browser"/>, Chromium for the browser tests too.</summary>
    public static async Task EnsureAsync(bool browser = false)
    {
        var packages = browser ? [.. Packages, .. BrowserPackages] : Packages;
        if (LocalMailServer.IsInstalled && CommandRunner.IsOnPath("openssl") && CommandRunner.IsOnPath("python3") && LibvipsInstalled
            && (!browser || File.Exists(ChromiumPath)))
        {
            Console.WriteLine($"setup: Dovecot, Postfix, OpenSSL, libvips and Python{(browser ? ", Chromium" : "")} are installed.");
            return;
        }
        if (!OperatingSystem.IsLinux() || !CommandRunner.IsOnPath("apt-get"))
        {
            throw new InvalidOperationException(
                $"Install {string.Join(", ", packages)} with your system's package manager (the automatic setup knows Debian's apt only).");
        }
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException($"setup installs {string.Join(", ", packages)} with apt-get: run it as root.");
        }
        Console.WriteLine($"setup: installing {string.Join(", ", packages)} from Debian's packages...");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        await CommandRunner.RunCheckedAsync("apt-get", ["update", "-q"], environment: env);
        // Postfix asks how it is used; "Local only" keeps the system instance off the network.
        var answers = "postfix postfix/main_mailer_type select Local only\npostfix postfix/mailname string localhost\n"u8.ToArray();
        await CommandRunner.RunCheckedAsync("debconf-set-selections", [], answers);
        await CommandRunner.RunCheckedAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", .. packages], environment: env);
        // Where apt starts services, stop the system instances: MiSS runs its own from generated configurations.
        await CommandRunner.RunAsync("postfix", ["stop"]);
        await CommandRunner.RunAsync("dovecot", ["stop"]);
        Console.WriteLine("setup: done.");
    }
}
