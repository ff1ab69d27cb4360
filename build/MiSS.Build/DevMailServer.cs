using System.Security.Cryptography;
using System.Text.Json;
using MiSS.DevEnvironment;

namespace MiSS.Build;

/// <summary>The local mail server of the demo and of manual runs: a fixed folder under .run/ with its accounts file.</summary>
static class DevMailServer
{
    public static string AccountsPath(string directory) => Path.Combine(directory, "accounts.json");

    /// <summary>Starts an instance in <paramref name="directory"/> with a fresh random password per practitioner.</summary>
    public static async Task<LocalMailServer> StartAsync(DevPki pki, string directory, MailServerPorts? ports = null)
    {
        var accounts = DevPki.Practitioners
            .Select(p => new MailAccount(p.Address, Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()))
            .ToList();
        var server = await LocalMailServer.StartAsync(new LocalMailServerOptions
        {
            Directory = directory,
            Accounts = accounts,
            TlsCertificatePath = pki.MailServerCertificatePath,
            TlsKeyPath = pki.MailServerKeyPath,
            Ports = ports,
        });
        var path = AccountsPath(directory);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { server.Host, server.Ports, Accounts = accounts },
            new JsonSerializerOptions { WriteIndented = true }));
        UnixPermissions.Set(path, UnixPermissions.OwnerOnly);
        return server;
    }

    /// <summary>Stops the instance whose configuration is in <paramref name="directory"/>, if it runs.</summary>
    public static async Task StopAsync(string directory)
    {
        var postfix = Path.Combine(directory, "postfix");
        var dovecot = Path.Combine(directory, "dovecot", "dovecot.conf");
        if (Directory.Exists(postfix))
        {
            await CommandRunner.RunAsync("postfix", ["-c", postfix, "stop"]);
        }
        if (File.Exists(dovecot))
        {
            await CommandRunner.RunAsync("dovecot", ["-c", dovecot, "stop"]);
        }
    }
}
