using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiSS.DevEnvironment;

/// <summary>
/// The settings of a development practitioner's MiSS instance on the local mail server, in the shape `miss run --config`
/// reads: the one description that the demo, the tests and the benchmarks all start from.
/// </summary>
public static class DevInstanceSettings
{
    /// <summary>The settings file's name in an instance's data folder.</summary>
    public const string FileName = "miss.json";

    /// <summary>
    /// Settings for <paramref name="p"/>: its mailbox on <paramref name="server"/> (STARTTLS checked against the dev
    /// anchors), its certificate, the dev trust anchors and CRLs (offline revocation), the other dev practitioners'
    /// certificates as known correspondents, its data in <paramref name="dataDirectory"/>, the API on
    /// <paramref name="apiPort"/> (0: any free port).
    /// </summary>
    public static JsonObject For(DevPki pki, LocalMailServer server, DevPractitioner p, string password, string dataDirectory, int apiPort,
        string productReference) => new()
    {
        ["MiSS"] = new JsonObject
        {
            ["Mailbox"] = new JsonObject { ["Address"] = p.Address, ["DisplayName"] = p.DisplayName, ["Password"] = password },
            ["Imap"] = Server(pki, server.Ports.Imap),
            ["Smtp"] = Server(pki, server.Ports.Submission),
            ["Certificate"] = new JsonObject { ["Path"] = pki.PfxPath(p) },
            ["Trust"] = new JsonObject
            {
                ["AnchorsPath"] = pki.TrustAnchorsPath,
                ["IntermediatesPath"] = pki.IntermediatesPath,
                ["CertificatesDirectory"] = Path.GetDirectoryName(pki.CertificatePath(p)),
                ["CrlPaths"] = new JsonArray(pki.CrlPaths.Select(path => (JsonNode?)path).ToArray()),
                ["RevocationMode"] = "Offline",
            },
            ["DataDirectory"] = dataDirectory,
            ["Api"] = new JsonObject { ["Port"] = apiPort },
            ["ProductReference"] = productReference,
        },
    };

    static JsonObject Server(DevPki pki, int port) =>
        new() { ["Host"] = "localhost", ["Port"] = port, ["Security"] = "StartTls", ["TrustAnchorsPath"] = pki.TrustAnchorsPath };

    /// <summary>Writes the settings as <see cref="FileName"/> in <paramref name="directory"/>, owner-only (it holds the mailbox password).</summary>
    public static string Write(JsonObject settings, string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        UnixPermissions.Set(path, UnixPermissions.OwnerOnly);
        return path;
    }
}
