using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;
using static MiSS.IntegrationTests.Mail.MailTestSupport;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// The product's submission (<see cref="SubmissionClient"/> opened by <see cref="MailboxConnection"/>) against the real
/// Postfix 3.7 submission port (STARTTLS required, SASL through Dovecot, 50 MB limit). Messages go to the test account's
/// INBOX, which other tests share: each test removes the messages it sent there.
/// </summary>
[CancelAfter(120_000)]
public class SmtpSubmissionTests
{
    [TearDown]
    public void WriteLogsOnFailure() => WriteServerLogsIfFailed();

    [Test]
    public async Task Without_TLS_no_credentials_are_sent_and_after_STARTTLS_the_extensions_are_there()
    {
        var plain = MailServerFixture.MailboxOptions(Owner, smtpSecurity: MailSecurity.None);
        var refused = await Assert.ThrowsAsync<InsecureTransportException>(() => plain.OpenSmtpAsync(NullLogger.Instance, CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("pas protégée par TLS"));

        using var smtp = await OpenSubmissionAsync();
        Assert.Multiple(() =>
        {
            Assert.That(smtp.IsSecure, Is.True);
            Assert.That(smtp.IsAuthenticated, Is.True);
            Assert.That(smtp.Capabilities.HasFlag(SmtpCapabilities.Size | SmtpCapabilities.Pipelining | SmtpCapabilities.Dsn | SmtpCapabilities.EightBitMime), Is.True);
            Assert.That(smtp.MaxSize, Is.EqualTo(52_428_800), "Postfix's message_size_limit, advertised with SIZE");
        });
        await smtp.DisconnectAsync(true);
    }

    [Test]
    public async Task Implicit_TLS_submission_authenticates_and_sends()
    {
        var message = Message("implicit TLS " + Guid.NewGuid().ToString("N")[..6], "Soumission sur TLS implicite (RFC 8314).", out var messageId);
        using (var smtp = await OpenSubmissionAsync(security: MailSecurity.ImplicitTls))
        {
            Assert.That(smtp.IsSecure, Is.True);
            var result = await smtp.SubmitAsync(Load(message), Owner.Address, [Owner.Address], notify: false, CancellationToken.None);
            Assert.That(result.Accepted, Is.EqualTo(new[] { Owner.Address }));
            await smtp.DisconnectAsync(true);
        }
        using var imap = await OpenImapAsync();
        await imap.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await RemoveOwnMessagesAsync(imap.Inbox, [await WaitForMessageAsync(imap.Inbox, messageId)]);
        await imap.DisconnectAsync(true);
    }

    [Test]
    public async Task An_8bit_message_is_delivered_with_its_body_intact()
    {
        const string text = "Grüße aus der Praxis: Ärztin, Œdème, café — 8 bits sans encodage.";
        var message = Message("8bit " + Guid.NewGuid().ToString("N")[..6], text, out var messageId);
        SubmissionResult result;
        using (var smtp = await OpenSubmissionAsync())
        {
            result = await smtp.SubmitAsync(Load(message), Owner.Address, [Owner.Address], notify: false, CancellationToken.None);
            await smtp.DisconnectAsync(true);
        }

        using var imap = await OpenImapAsync();
        await imap.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var uid = await WaitForMessageAsync(imap.Inbox, messageId);
        try
        {
            var delivered = await MailServerFixture.RawAsync(imap.Inbox, uid);
            Assert.That(result.Accepted, Is.EqualTo(new[] { Owner.Address }));
            Assert.That(result.Refused, Is.Empty);
            Assert.That(Encoding.UTF8.GetString(delivered!), Does.EndWith("\r\n\r\n" + text + "\r\n"), "the 8-bit body arrives byte for byte");
        }
        finally
        {
            await RemoveOwnMessagesAsync(imap.Inbox, [uid]);
            await imap.DisconnectAsync(true);
        }
    }

    [Test]
    public async Task A_wrong_password_is_refused_and_is_not_in_the_error()
    {
        var options = MailServerFixture.MailboxOptions(Owner);
        options.Mailbox.Password = "wrong-password-1234";

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => options.OpenSmtpAsync(NullLogger.Instance, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(TransportFailure.Is(ex!), Is.True);
            Assert.That(TransportFailure.Describe(ex!), Does.Contain("authentification refusée"));
            Assert.That(ex!.ToString(), Does.Not.Contain("wrong-password-1234"));
        });
    }

    [Test]
    public async Task A_message_larger_than_SIZE_is_a_permanent_refusal_of_the_transaction_and_the_session_stays_usable()
    {
        using var smtp = await OpenSubmissionAsync();
        var huge = new MimeKit.MimeMessage();
        huge.From.Add(new MimeKit.MailboxAddress("", Owner.Address));
        huge.To.Add(new MimeKit.MailboxAddress("", Owner.Address));
        huge.MessageId = $"{Guid.NewGuid():N}@it.miss.test";
        huge.Body = new MimeKit.MimePart("application", "octet-stream")
        {
            Content = new MimeKit.MimeContent(new MemoryStream(new byte[smtp.MaxSize + 4096])),
            ContentTransferEncoding = MimeKit.ContentEncoding.Base64,
        };

        var result = await smtp.SubmitAsync(huge, Owner.Address, [Owner.Address], notify: true, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.TransactionRefusal, Is.Not.Null);
            Assert.That((int)result.TransactionRefusal!.StatusCode, Is.EqualTo(552));
            Assert.That(result.Accepted, Is.Empty);
            Assert.That(result.Refused.Single().StatusCode, Is.EqualTo(552));
        });
        Assert.That(smtp.IsConnected, Is.True, "a refused MAIL leaves the session usable");
        await smtp.NoOpAsync();
        await smtp.DisconnectAsync(true);
    }

    [Test]
    public async Task A_pipelined_send_reports_each_recipient_and_an_unknown_mailbox_with_550_5_1_1_without_aborting_the_others()
    {
        var unknown = $"{UniqueName("unknown")}@{MiSS.DevEnvironment.DevPki.Domain}";
        var message = Message("pipelined", "to two mailboxes and one that does not exist", out var messageId, to: $"{Owner.Address}, {Other.Address}");
        SubmissionResult result;
        using (var smtp = await OpenSubmissionAsync())
        {
            Assert.That(smtp.Capabilities.HasFlag(SmtpCapabilities.Pipelining), Is.True);
            result = await smtp.SubmitAsync(Load(message), Owner.Address, [Owner.Address, unknown, Other.Address], notify: false, CancellationToken.None);
            await smtp.DisconnectAsync(true);
        }

        try
        {
            Assert.That(result.Accepted, Is.EqualTo(new[] { Owner.Address, Other.Address }));
            var refused = result.Refused.Single();
            Assert.That(refused.Address, Is.EqualTo(unknown));
            Assert.That(refused.StatusCode, Is.EqualTo(550));
            Assert.That(refused.Response, Does.StartWith("5.1.1").And.Contain("User unknown"));
            Assert.That(result.TransactionRefusal, Is.Null);
        }
        finally
        {
            foreach (var account in new[] { Owner, Other })
            {
                using var imap = await OpenImapAsync(account);
                await imap.Inbox.OpenAsync(FolderAccess.ReadWrite);
                await RemoveOwnMessagesAsync(imap.Inbox, [await WaitForMessageAsync(imap.Inbox, messageId)]);
                await imap.DisconnectAsync(true);
            }
        }
    }

    [Test]
    public async Task Every_recipient_refused_is_reported_per_recipient_not_as_a_failed_connection()
    {
        var nobody = $"{UniqueName("nobody")}@{MiSS.DevEnvironment.DevPki.Domain}";
        using var smtp = await OpenSubmissionAsync();

        var result = await smtp.SubmitAsync(Load(Message("nobody", "x", out _)), Owner.Address, [nobody], notify: true, CancellationToken.None);

        Assert.That(result.Accepted, Is.Empty);
        Assert.That(result.Refused.Select(r => (r.Address, r.StatusCode)), Is.EqualTo(new[] { (nobody, 550) }));
        Assert.That(result.TransactionRefusal, Is.Null);
        Assert.That(smtp.IsConnected, Is.True);
        await smtp.DisconnectAsync(true);
    }

    [Test]
    public async Task DSN_parameters_are_accepted_and_the_success_report_carries_the_envelope_id_and_original_recipient()
    {
        var message = Message("dsn", "please report success", out var messageId);
        using var imap = await OpenImapAsync();
        var inbox = imap.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var next = inbox.UidNext?.Id ?? 1;
        using (var smtp = await OpenSubmissionAsync())
        {
            var result = await smtp.SubmitAsync(Load(message), Owner.Address, [Owner.Address], notify: true, CancellationToken.None);
            Assert.That(result.Accepted, Is.EqualTo(new[] { Owner.Address }));
            await smtp.DisconnectAsync(true);
        }

        var mine = new List<UniqueId>();
        try
        {
            mine.Add(await WaitForMessageAsync(inbox, messageId));

            // The "delivered" report Postfix returns to the sender because of NOTIFY=SUCCESS, matched by ENVID = Message-ID.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            string? report = null;
            while (report is null && DateTime.UtcNow < deadline)
            {
                foreach (var uid in (await inbox.SearchAsync(MailKit.Search.SearchQuery.Uids(new UniqueIdRange(new UniqueId(next), UniqueId.MaxValue))))
                    .Where(u => u.Id >= next && !mine.Contains(u)))
                {
                    var raw = Encoding.UTF8.GetString(await MailServerFixture.RawAsync(inbox, uid) ?? []);
                    if (raw.Contains($"Original-Envelope-Id: {messageId}", StringComparison.Ordinal))
                    {
                        mine.Add(uid);
                        report = raw;
                    }
                }
                await Task.Delay(200);
            }

            Assert.That(report, Is.Not.Null, "no delivery status notification arrived");
            Assert.Multiple(() =>
            {
                Assert.That(report, Does.Contain("message/delivery-status"));
                Assert.That(report, Does.Contain($"Original-Recipient: rfc822;{Owner.Address}"), "ORCPT");
                // "relayed": Postfix hands the message to Dovecot's LMTP, which takes no DSN request of its own.
                Assert.That(report, Does.Match("Action: (delivered|relayed)"));
                Assert.That(report, Does.Contain("Status: 2.0.0"));
                Assert.That(report, Does.Contain("text/rfc822-headers"), "RET=HDRS returns only the headers");
            });
        }
        finally
        {
            await RemoveOwnMessagesAsync(inbox, mine);
            await imap.DisconnectAsync(true);
        }
    }
}
