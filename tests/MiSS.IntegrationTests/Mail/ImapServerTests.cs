using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Expiry;
using MiSS.Core.Outgoing;
using MiSS.Core.Storage;
using MiSS.Core.Transport;
using static MiSS.IntegrationTests.Mail.MailTestSupport;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// The product's IMAP sessions (<see cref="MailboxConnection"/> on MailKit) against the real Dovecot 2.3: the TLS and
/// credential rules, the Sent folder, the download path and the erasure of server copies. Mailboxes are the test's own,
/// or only its own messages are touched in a shared INBOX.
/// </summary>
[CancelAfter(120_000)]
public class ImapServerTests
{
    readonly List<string> _created = [];

    [TearDown]
    public async Task DeleteCreatedMailboxesAsync()
    {
        WriteServerLogsIfFailed();
        await DeleteMailboxesAsync([.. _created]);
        _created.Clear();
    }

    async Task<IMailFolder> CreateMailboxAsync(ImapClient imap, string prefix)
    {
        var name = UniqueName(prefix);
        _created.Add(name);
        return await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync(name, isMessageFolder: true)
            ?? throw new AssertionException($"{name} not created");
    }

    [Test]
    public async Task STARTTLS_then_login_with_the_capabilities_the_watcher_relies_on()
    {
        using var imap = await OpenImapAsync();

        Assert.Multiple(() =>
        {
            Assert.That(imap.IsSecure, Is.True);
            Assert.That(imap.IsAuthenticated, Is.True);
            Assert.That(imap.SslProtocol, Is.EqualTo(System.Security.Authentication.SslProtocols.Tls12).Or.EqualTo(System.Security.Authentication.SslProtocols.Tls13));
            Assert.That(imap.Capabilities.HasFlag(ImapCapabilities.Idle | ImapCapabilities.UidPlus | ImapCapabilities.SpecialUse), Is.True);
        });
        await imap.DisconnectAsync(true);
        Assert.That(imap.IsConnected, Is.False);
    }

    [Test]
    public async Task Implicit_TLS_then_login()
    {
        using var imap = await OpenImapAsync(security: MailSecurity.ImplicitTls);
        Assert.That(imap.IsSecure, Is.True);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.That(imap.Inbox.UidValidity, Is.Not.Zero);
        await imap.DisconnectAsync(true);
    }

    [Test]
    public async Task A_wrong_password_is_refused_without_the_password_in_the_error()
    {
        var options = MailServerFixture.MailboxOptions(Owner);
        options.Mailbox.Password = "not-the-password-987";

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => options.OpenImapAsync(NullLogger.Instance, CancellationToken.None));

        Assert.That(ex!.ToString(), Does.Not.Contain("not-the-password-987"));
        Assert.That(TransportFailure.Describe(ex), Does.Contain("authentification refusée"));
    }

    [Test]
    public async Task Without_TLS_credentials_are_refused_by_the_client_even_though_the_server_would_accept_them()
    {
        // Dovecot counts loopback connections as secure and offers plaintext authentication on them.
        using (var probe = new ImapClient())
        {
            await probe.ConnectAsync(Host, MailServerFixture.Server.Ports.Imap, SecureSocketOptions.None);
            Assert.That(probe.AuthenticationMechanisms, Does.Contain("PLAIN"));
            Assert.That(probe.Capabilities.HasFlag(ImapCapabilities.LoginDisabled), Is.False);
            await probe.DisconnectAsync(true);
        }

        var plain = MailServerFixture.MailboxOptions(Owner, imapSecurity: MailSecurity.None);
        var ex = await Assert.ThrowsAsync<InsecureTransportException>(() => plain.OpenImapAsync(NullLogger.Instance, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("identifiants non envoyés"));
    }

    [Test]
    public async Task The_Sent_folder_is_found_by_its_special_use()
    {
        using var imap = await OpenImapAsync();

        var sent = await SentFolder.FindAsync(imap, CancellationToken.None);

        Assert.That(sent, Is.Not.Null);
        Assert.That(sent!.Attributes.HasFlag(FolderAttributes.Sent), Is.True);
        Assert.That(sent.Name, Is.EqualTo("Sent"));
        await imap.DisconnectAsync(true);
    }

    [Test]
    public async Task A_10_MB_message_appended_comes_back_identical_byte_for_byte_with_its_size_announced_first()
    {
        using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "large");
        var message = LargeMessage(10 * 1024 * 1024);

        var uid = await folder.AppendAsync(Load(message), MessageFlags.Seen);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var summary = (await folder.FetchAsync([uid!.Value], MessageSummaryItems.UniqueId | MessageSummaryItems.Size)).Single();
        var fetched = await MailServerFixture.RawAsync(folder, uid.Value);

        Assert.That((long?)summary.Size, Is.EqualTo(message.Length));
        Assert.That(fetched, Is.Not.Null);
        Assert.That(fetched!.Length, Is.EqualTo(message.Length));
        Assert.That(fetched.AsSpan().SequenceEqual(message), Is.True, "the fetched bytes differ from the appended ones");
        await imap.DisconnectAsync(true);
    }

    [Test]
    public async Task The_server_copy_eraser_removes_exactly_the_expired_messages()
    {
        var expired = Message("expired", "à effacer", out var expiredId);
        var kept = Message("kept", "à garder", out var keptId);
        await MailServerFixture.Server.DeliverRawAsync(Owner.Address, expired);
        await MailServerFixture.Server.DeliverRawAsync(Owner.Address, kept);

        var erased = await new ServerCopyEraser(MailServerFixture.MailboxOptions(Owner), NullLogger<ServerCopyEraser>.Instance)
            .EraseAsync([new ServerErasure(1, expiredId)], CancellationToken.None);

        Assert.That(erased, Is.EqualTo(1));
        Assert.That(await MailServerFixture.FetchRawAsync(Owner, expiredId), Is.Null);
        Assert.That(await MailServerFixture.FetchRawAsync(Owner, keptId), Is.Not.Null);
        using var imap = await OpenImapAsync();
        await imap.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await RemoveOwnMessagesAsync(imap.Inbox, [await WaitForMessageAsync(imap.Inbox, keptId)]);
        await imap.DisconnectAsync(true);
    }

    /// <summary>A message of about <paramref name="size"/> bytes: CRLF lines of printable and 8-bit bytes (no NUL, no bare CR or LF).</summary>
    static byte[] LargeMessage(int size)
    {
        var header = Encoding.ASCII.GetBytes(
            $"From: {Owner.Address}\r\nTo: {Owner.Address}\r\nSubject: large\r\nMessage-ID: <{Guid.NewGuid():N}@it.miss.test>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        var message = new byte[size];
        header.CopyTo(message, 0);
        var random = new Random(20240229);
        var i = header.Length;
        while (i < size)
        {
            var remaining = size - i;
            var lineLength = remaining <= 1000 ? remaining - 2 : remaining == 1001 ? 997 : 998;
            for (var k = 0; k < lineLength; k++)
            {
                byte b;
                do
                {
                    b = (byte)random.Next(1, 256);
                }
                while (b is (byte)'\r' or (byte)'\n');
                message[i++] = b;
            }
            message[i++] = (byte)'\r';
            message[i++] = (byte)'\n';
        }
        return message;
    }
}
