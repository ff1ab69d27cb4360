using System.Text;
using MiSS.DevEnvironment;
using MiSS.Mail.Imap;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tls;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// Connections and clean-up for the protocol tests against the fixture's real Dovecot and Postfix. Other test classes
/// share the server and its INBOXes, so these tests work in mailboxes of their own and remove from an INBOX only the
/// messages they sent there themselves, by UID, with UID EXPUNGE.
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

    /// <summary>A connected, authenticated IMAP client (STARTTLS on the IMAP port, or implicit TLS on IMAPS).</summary>
    public static async Task<ImapClient> OpenImapAsync(
        DevPractitioner? account = null, MailSecurity security = MailSecurity.StartTls, bool useAuthenticate = false, ImapClientOptions? options = null)
    {
        account ??= Owner;
        var imap = new ImapClient(options ?? new ImapClientOptions { CommandTimeout = TimeSpan.FromSeconds(30) });
        try
        {
            var ports = MailServerFixture.Server.Ports;
            await imap.ConnectAsync(Host, security == MailSecurity.ImplicitTls ? ports.Imaps : ports.Imap, security, MailServerFixture.Tls);
            if (useAuthenticate)
            {
                await imap.AuthenticateAsync(account.Address, Password(account));
            }
            else
            {
                await imap.LoginAsync(account.Address, Password(account));
            }
            return imap;
        }
        catch
        {
            await imap.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client on the submission port after STARTTLS, authenticated as <paramref name="account"/>. A transient AUTH
    /// refusal (Postfix's 454 "Connection lost to authentication server", seen once on the shared server after
    /// Dovecot's restart by <see cref="ImapConnectionLossTests"/>) is tried once more on a new connection.
    /// </summary>
    public static async Task<SmtpClient> OpenSubmissionAsync(DevPractitioner? account = null, SmtpAuthMechanism mechanism = SmtpAuthMechanism.Plain)
    {
        account ??= Owner;
        for (var attempt = 1; ; attempt++)
        {
            var smtp = new SmtpClient(new SmtpClientOptions { CommandTimeout = TimeSpan.FromSeconds(30), DataTimeout = TimeSpan.FromMinutes(2) });
            try
            {
                await smtp.ConnectAsync(Host, MailServerFixture.Server.Ports.Submission, MailSecurity.StartTls, MailServerFixture.Tls);
                await smtp.AuthenticateAsync(account.Address, Password(account), mechanism);
                return smtp;
            }
            catch (SmtpCommandException ex) when (ex.IsTransient && attempt == 1)
            {
                TestContext.Out.WriteLine($"submission AUTH refused for now ({ex.Message}); trying again");
                await smtp.DisposeAsync();
                await Task.Delay(1000);
            }
            catch
            {
                await smtp.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A small message with CRLF line ends and a unique Message-ID.</summary>
    public static byte[] Message(string subject, string body, out string messageId, string? from = null, string? to = null)
    {
        messageId = $"<{Guid.NewGuid():N}@it.miss.test>";
        var text = $"From: {from ?? Owner.Address}\r\nTo: {to ?? Owner.Address}\r\nSubject: {subject}\r\nMessage-ID: {messageId}\r\n"
            + $"Date: {DateTimeOffset.UtcNow:R}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n";
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The header section of a message built by <see cref="Message"/>, with its closing empty line.</summary>
    public static byte[] HeaderSection(byte[] message)
    {
        var end = message.AsSpan().IndexOf("\r\n\r\n"u8);
        return message[..(end + 4)];
    }

    /// <summary>Waits until the selected mailbox holds a message with <paramref name="messageId"/>; returns its UID.</summary>
    public static async Task<uint> WaitForMessageAsync(ImapClient imap, string messageId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var uids = await imap.UidSearchAsync($"HEADER Message-ID \"{messageId}\"");
            if (uids.Count > 0)
            {
                return uids[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"message {messageId} did not arrive in {imap.SelectedMailbox?.Name} within {timeout ?? TimeSpan.FromSeconds(30)}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Removes messages this test put into a shared mailbox: marks exactly these UIDs \Deleted and expunges exactly them.
    /// Without UIDPLUS it leaves them (a plain EXPUNGE could remove what another client marked).
    /// </summary>
    public static async Task RemoveOwnMessagesAsync(ImapClient imap, IEnumerable<uint> uids)
    {
        var set = string.Join(',', uids.Distinct());
        if (set.Length == 0 || !imap.Capabilities.Contains("UIDPLUS"))
        {
            return;
        }
        await imap.UidStoreFlagsAsync(set, ImapStoreMode.Add, [@"\Deleted"]);
        await imap.UidExpungeAsync(set);
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
        await using var imap = await OpenImapAsync();
        foreach (var name in names)
        {
            try
            {
                await imap.DeleteMailboxAsync(name);
            }
            catch (ImapCommandException)
            {
                // Never created (the test failed before), or already deleted.
            }
        }
        await imap.LogoutAsync();
    }
}
