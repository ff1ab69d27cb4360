using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.DevEnvironment;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;

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

    /// <summary>The mailbox options of <paramref name="p"/> on this server, verifying it against the dev root only, as a MiSS instance does.</summary>
    public static MissOptions MailboxOptions(DevPractitioner p, MailSecurity imapSecurity = MailSecurity.StartTls, MailSecurity smtpSecurity = MailSecurity.StartTls)
    {
        var options = new MissOptions();
        options.Mailbox.Address = p.Address;
        options.Mailbox.Password = Account(p).Password;
        options.Imap = new MailServerOptions
        {
            Host = "localhost", Port = imapSecurity == MailSecurity.ImplicitTls ? Server.Ports.Imaps : Server.Ports.Imap,
            Security = imapSecurity, TrustAnchorsPath = Pki.TrustAnchorsPath,
        };
        options.Smtp = new MailServerOptions
        {
            Host = "localhost", Port = smtpSecurity == MailSecurity.ImplicitTls ? Server.Ports.Submissions : Server.Ports.Submission,
            Security = smtpSecurity, TrustAnchorsPath = Pki.TrustAnchorsPath,
        };
        return options;
    }

    /// <summary>An IMAP session of <paramref name="p"/>, opened by the product's own connection code.</summary>
    public static Task<ImapClient> OpenImapAsync(DevPractitioner p) =>
        MailboxOptions(p).OpenImapAsync(NullLogger.Instance, CancellationToken.None);

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
        using var imap = await OpenImapAsync(p);
        var mailbox = folder == "INBOX" ? imap.Inbox : await imap.GetFolderAsync(folder);
        await mailbox.OpenAsync(FolderAccess.ReadOnly);
        foreach (var uid in await mailbox.SearchAsync(SearchQuery.HeaderContains("Message-ID", $"<{messageId.Trim('<', '>')}>")))
        {
            if (await RawAsync(mailbox, uid) is { } raw)
            {
                return raw;
            }
        }
        return null;
    }

    /// <summary>Every raw message of a practitioner's INBOX and Sent folder, as a plain IMAP FETCH sees them.</summary>
    public static async Task<IReadOnlyList<byte[]>> FetchEverythingAsync(DevPractitioner p)
    {
        using var imap = await OpenImapAsync(p);
        var messages = new List<byte[]>();
        foreach (var folder in new[] { imap.Inbox, await Core.Outgoing.SentFolder.FindAsync(imap, CancellationToken.None) })
        {
            if (folder is null)
            {
                continue;
            }
            await folder.OpenAsync(FolderAccess.ReadOnly);
            foreach (var uid in await folder.SearchAsync(SearchQuery.All))
            {
                if (await RawAsync(folder, uid) is { } raw)
                {
                    messages.Add(raw);
                }
            }
        }
        return messages;
    }

    /// <summary>The raw bytes of one message (BODY.PEEK[]), or null when it was expunged meanwhile.</summary>
    public static async Task<byte[]?> RawAsync(IMailFolder folder, UniqueId uid)
    {
        try
        {
            await using var stream = await folder.GetStreamAsync(uid, "");
            using var raw = new MemoryStream();
            await stream.CopyToAsync(raw);
            return raw.ToArray();
        }
        catch (MessageNotFoundException)
        {
            return null;
        }
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
