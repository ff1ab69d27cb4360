using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Search;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;
using MiSS.DevEnvironment;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// Connections and clean-up for the transport tests against the fixture's real Dovecot and Postfix, through the
/// product's own connection code (<see cref="MailboxConnection"/>, <see cref="TlsPolicy"/>). Other test classes share
/// the server and its INBOXes, so these tests work in mailboxes of their own and remove from an INBOX only the messages
/// they sent there themselves, by UID, with UID EXPUNGE.
/// </summary>
static class MailTestSupport
{
    /// <summary>The host name the server certificate is issued for.</summary>
    public const string Host = "localhost";

    /// <summary>The account whose mailboxes the protocol tests use (its INBOX quarantine is asserted by no other test).</summary>
    public static DevPractitioner Owner => DevPki.Practitioners[1];

    /// <summary>A second account, for a pipelined send to several existing mailboxes.</summary>
    public static DevPractitioner Other => DevPki.Practitioners[0];

    public static string Password(DevPractitioner p) => MailServerFixture.Account(p).Password;

    /// <summary>A mailbox name no other test uses.</summary>
    public static string UniqueName(string prefix) => $"miss-it-{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>A connected, authenticated IMAP session (STARTTLS on the IMAP port, or implicit TLS on IMAPS).</summary>
    public static Task<ImapClient> OpenImapAsync(DevPractitioner? account = null, MailSecurity security = MailSecurity.StartTls) =>
        MailServerFixture.MailboxOptions(account ?? Owner, imapSecurity: security).OpenImapAsync(NullLogger.Instance, CancellationToken.None);

    /// <summary>
    /// A submission session after STARTTLS (or implicit TLS), authenticated as <paramref name="account"/>. A transient AUTH
    /// refusal (Postfix's 454 "Connection lost to authentication server", seen once on the shared server after
    /// Dovecot's restart by <see cref="ImapConnectionLossTests"/>) is tried once more on a new connection.
    /// </summary>
    public static async Task<SubmissionClient> OpenSubmissionAsync(DevPractitioner? account = null, MailSecurity security = MailSecurity.StartTls)
    {
        var options = MailServerFixture.MailboxOptions(account ?? Owner, smtpSecurity: security);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await options.OpenSmtpAsync(NullLogger.Instance, CancellationToken.None);
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode is >= 400 and < 500 && attempt == 1)
            {
                TestContext.Out.WriteLine($"submission AUTH refused for now ({(int)ex.StatusCode}); trying again");
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>A small message with CRLF line ends and a unique Message-ID (without its angle brackets in <paramref name="messageId"/>).</summary>
    public static byte[] Message(string subject, string body, out string messageId, string? from = null, string? to = null)
    {
        messageId = $"{Guid.NewGuid():N}@it.miss.test";
        var text = $"From: {from ?? Owner.Address}\r\nTo: {to ?? Owner.Address}\r\nSubject: {subject}\r\nMessage-ID: <{messageId}>\r\n"
            + $"Date: {DateTimeOffset.UtcNow:R}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n";
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The bytes as MimeKit's message, as the outbox hands them to submission.</summary>
    public static MimeKit.MimeMessage Load(byte[] message) => MimeKit.MimeMessage.Load(new MemoryStream(message));

    /// <summary>Waits until <paramref name="folder"/> holds a message with <paramref name="messageId"/>; returns its UID.</summary>
    public static async Task<UniqueId> WaitForMessageAsync(IMailFolder folder, string messageId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var uids = await folder.SearchAsync(SearchQuery.HeaderContains("Message-ID", $"<{messageId}>"));
            if (uids.Count > 0)
            {
                return uids[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"message {messageId} did not arrive in {folder.FullName} within {timeout ?? TimeSpan.FromSeconds(30)}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Removes messages this test put into a shared mailbox: exactly these UIDs, \Deleted then UID EXPUNGE.</summary>
    public static async Task RemoveOwnMessagesAsync(IMailFolder folder, IEnumerable<UniqueId> uids)
    {
        var set = uids.Distinct().ToList();
        if (set.Count == 0)
        {
            return;
        }
        await folder.StoreAsync(set, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true });
        await folder.ExpungeAsync(set);
    }

    /// <summary>After a failed test, writes the tail of the Dovecot and Postfix logs to the test output.</summary>
    public static void WriteServerLogsIfFailed()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine(MailServerFixture.Server.ReadLogs(80));
        }
    }

    /// <summary>Deletes mailboxes this test created (with the messages it put there), on a connection of its own.</summary>
    public static async Task DeleteMailboxesAsync(params string[] names)
    {
        using var imap = await OpenImapAsync();
        foreach (var name in names)
        {
            try
            {
                await (await imap.GetFolderAsync(name)).DeleteAsync();
            }
            catch (Exception e) when (e is FolderNotFoundException or ImapCommandException)
            {
                // Never created (the test failed before), or already deleted.
            }
        }
        await imap.DisconnectAsync(quit: true);
    }
}
