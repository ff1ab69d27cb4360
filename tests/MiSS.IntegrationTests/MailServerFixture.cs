using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.DevEnvironment;
using MiSS.Mail.Imap;
using MiSS.Mail.Tls;

namespace MiSS.IntegrationTests;

/// <summary>
/// Starts one real Dovecot + Postfix on loopback for the whole test assembly, with a mailbox per development
/// practitioner and fresh random passwords, in a temporary folder removed afterwards.
/// </summary>
[SetUpFixture]
public sealed class MailServerFixture
{
    static LocalMailServer? _server;
    static DevPki? _pki;
    static string? _directory;

    /// <summary>The running server.</summary>
    public static LocalMailServer Server => _server ?? throw new InvalidOperationException("mail server not started");

    /// <summary>The development PKI (the repository's certs-dev).</summary>
    public static DevPki Pki => _pki ?? throw new InvalidOperationException("PKI not loaded");

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot { get; } = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("MiSS.sln not found above the test assembly");

    /// <summary>TLS settings that verify the server against the dev root, as a MiSS instance does.</summary>
    public static TlsSettings Tls
    {
        get
        {
            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPemFile(Pki.TrustAnchorsPath);
            return new TlsSettings { TrustAnchors = anchors, UseSystemTrust = false };
        }
    }

    /// <summary>The mailbox account of a practitioner.</summary>
    public static MailAccount Account(DevPractitioner p) => Server.Options.Accounts.Single(a => a.Address == p.Address);

    /// <summary>
    /// Empties every practitioner's INBOX, so that a test's new instances do not import earlier tests' mail, once Postfix
    /// has delivered whatever earlier tests left in its queue.
    /// </summary>
    public static async Task EmptyInboxesAsync()
    {
        await Server.WaitForEmptyQueueAsync(TimeSpan.FromSeconds(60));
        foreach (var p in DevPki.Practitioners)
        {
            await Server.EmptyMailboxAsync(p.Address);
        }
    }

    /// <summary>The raw bytes of the message with this Message-ID in a practitioner's folder, as a plain IMAP FETCH sees them.</summary>
    public static async Task<byte[]?> FetchRawAsync(DevPractitioner p, string messageId, string folder = "INBOX")
    {
        await using var imap = new ImapClient();
        await imap.ConnectAsync("localhost", Server.Ports.Imap, MailSecurity.StartTls, Tls);
        await imap.LoginAsync(p.Address, Account(p).Password);
        await imap.SelectAsync(folder);
        foreach (var uid in await imap.UidSearchAsync($"HEADER Message-ID \"{messageId}\""))
        {
            if (await imap.UidFetchMessageAsync(uid) is { } raw)
            {
                return raw;
            }
        }
        return null;
    }

    /// <summary>Every raw message of a practitioner's INBOX and Sent folder, as a plain IMAP FETCH sees them.</summary>
    public static async Task<IReadOnlyList<byte[]>> FetchEverythingAsync(DevPractitioner p)
    {
        await using var imap = new ImapClient();
        await imap.ConnectAsync("localhost", Server.Ports.Imap, MailSecurity.StartTls, Tls);
        await imap.LoginAsync(p.Address, Account(p).Password);
        var messages = new List<byte[]>();
        foreach (var folder in new[] { "INBOX", await Core.Outgoing.SentFolder.FindAsync(imap, CancellationToken.None) })
        {
            if (folder is null)
            {
                continue;
            }
            await imap.SelectAsync(folder);
            foreach (var uid in await imap.UidSearchAsync("ALL"))
            {
                if (await imap.UidFetchMessageAsync(uid) is { } raw)
                {
                    messages.Add(raw);
                }
            }
        }
        return messages;
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!LocalMailServer.IsInstalled)
        {
            Assert.Fail("Dovecot and Postfix are not installed: run ./build.sh setup (the test command does it).");
        }
        _pki = DevPki.LoadOrCreate(Path.Combine(RepositoryRoot, "certs-dev"));
        _directory = Path.Combine(Path.GetTempPath(), "miss-mail-" + Guid.NewGuid().ToString("N")[..8]);
        _server = await LocalMailServer.StartAsync(new LocalMailServerOptions
        {
            Directory = _directory,
            Accounts = DevPki.Practitioners.Select(p => new MailAccount(p.Address, Convert.ToHexString(RandomNumberGenerator.GetBytes(12)))).ToList(),
            TlsCertificatePath = _pki.MailServerCertificatePath,
            TlsKeyPath = _pki.MailServerKeyPath,
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
