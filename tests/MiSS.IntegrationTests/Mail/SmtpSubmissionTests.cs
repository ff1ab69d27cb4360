using System.Text;
using MiSS.Mail.Imap;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tls;
using static MiSS.IntegrationTests.Mail.MailTestSupport;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// SmtpClient against the real Postfix 3.7 submission port (STARTTLS required, SASL through Dovecot, 50 MB limit).
/// Messages go to the test account's INBOX, which other tests share: each test removes the messages it sent there.
/// </summary>
[CancelAfter(120_000)]
public class SmtpSubmissionTests
{
    static int SubmissionPort => MailServerFixture.Server.Ports.Submission;

    [TearDown]
    public void WriteLogsOnFailure() => WriteServerLogsIfFailed();

    [Test]
    public async Task Before_TLS_no_AUTH_is_offered_and_after_STARTTLS_the_extensions_are_there()
    {
        var plaintext = new TlsSettings { AllowPlaintext = true, TrustAnchors = MailServerFixture.Tls.TrustAnchors, UseSystemTrust = false };
        await using (var clear = new SmtpClient())
        {
            await clear.ConnectAsync(Host, SubmissionPort, MailSecurity.None, plaintext);
            Assert.That(clear.Extensions, Does.Contain("STARTTLS").And.Not.Contain("AUTH"));
            var refused = await Assert.ThrowsAsync<MiSS.Mail.MailException>(() => clear.AuthenticateAsync(Owner.Address, Password(Owner)));
            Assert.That(refused!.Message, Does.Contain("no authentication"));
            await clear.QuitAsync();
        }

        await using var smtp = new SmtpClient();
        await smtp.ConnectAsync(Host, SubmissionPort, MailSecurity.StartTls, MailServerFixture.Tls);

        Assert.Multiple(() =>
        {
            Assert.That(smtp.IsSecure, Is.True);
            Assert.That(smtp.Extensions, Is.SupersetOf(new[] { "AUTH", "SIZE", "8BITMIME", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES" }));
            Assert.That(smtp.MaxMessageSize, Is.EqualTo(52_428_800), "Postfix's message_size_limit, advertised with SIZE");
        });
        await smtp.QuitAsync();
    }

    [Test]
    public async Task Implicit_TLS_submission_authenticates_and_sends()
    {
        var message = Message("implicit TLS " + Guid.NewGuid().ToString("N")[..6], "Soumission sur TLS implicite (RFC 8314).", out var messageId);
        await using var smtp = new SmtpClient();
        await smtp.ConnectAsync(Host, MailServerFixture.Server.Ports.Submissions, MailSecurity.ImplicitTls, MailServerFixture.Tls);
        Assert.That(smtp.IsSecure, Is.True);
        Assert.That(smtp.Extensions, Does.Not.Contain("STARTTLS"), "already TLS from the first byte");
        await smtp.AuthenticateAsync(Owner.Address, Password(Owner));

        var result = await smtp.SendAsync(Owner.Address, [Owner.Address], message);
        await smtp.QuitAsync();

        Assert.That(result.Recipients.Single().Accepted, Is.True);
        await using var imap = await OpenImapAsync();
        await imap.SelectAsync("INBOX");
        var uid = await WaitForMessageAsync(imap, messageId);
        await RemoveOwnMessagesAsync(imap, [uid]);
        await imap.LogoutAsync();
    }

    [Test]
    public async Task AUTH_PLAIN_then_an_8bit_message_is_delivered_with_its_body_intact()
    {
        const string text = "Grüße aus der Praxis: Ärztin, Œdème, café — 8 bits sans encodage.";
        var message = Message("8bit " + Guid.NewGuid().ToString("N")[..6], text, out var messageId);
        SmtpSendResult result;
        await using (var smtp = await OpenSubmissionAsync(mechanism: SmtpAuthMechanism.Plain))
        {
            result = await smtp.SendAsync(Owner.Address, [Owner.Address], message);
            await smtp.QuitAsync();
        }

        await using var imap = await OpenImapAsync();
        await imap.SelectAsync("INBOX");
        var uid = await WaitForMessageAsync(imap, messageId);
        try
        {
            var delivered = await imap.UidFetchMessageAsync(uid);
            Assert.That(result.Recipients.Single().Accepted, Is.True);
            Assert.That(result.QueuedResponse, Does.Contain("queued as"));
            Assert.That(Encoding.UTF8.GetString(delivered!), Does.EndWith("\r\n\r\n" + text + "\r\n"), "the 8-bit body arrives byte for byte");
        }
        finally
        {
            await RemoveOwnMessagesAsync(imap, [uid]);
            await imap.LogoutAsync();
        }
    }

    [Test]
    public async Task AUTH_LOGIN_is_accepted_over_STARTTLS()
    {
        await using var smtp = await OpenSubmissionAsync(mechanism: SmtpAuthMechanism.Login);

        // Submission refuses unauthenticated senders, so an accepted MAIL FROM proves the login; the transaction
        // ends without data because every recipient is refused.
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => smtp.SendAsync(Owner.Address, [$"{UniqueName("nobody")}@{MiSS.DevEnvironment.DevPki.Domain}"], "x\r\n"u8.ToArray()));
        Assert.That((ex!.Command, ex.StatusCode, ex.EnhancedStatusCode), Is.EqualTo(("RCPT", 550, "5.1.1")));
        Assert.That(smtp.IsConnected, Is.True);
        await smtp.QuitAsync();
    }

    [Test]
    public async Task A_wrong_password_is_refused_with_535_and_is_not_in_the_error()
    {
        await using var smtp = new SmtpClient();
        await smtp.ConnectAsync(Host, SubmissionPort, MailSecurity.StartTls, MailServerFixture.Tls);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.AuthenticateAsync(Owner.Address, "wrong-password-1234"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(535));
            Assert.That(ex.EnhancedStatusCode, Is.EqualTo("5.7.8"));
            Assert.That(ex.ToString(), Does.Not.Contain("wrong-password-1234"));
        });
    }

    [Test]
    public async Task A_message_larger_than_SIZE_is_refused_with_552_at_MAIL_before_any_data()
    {
        await using var smtp = await OpenSubmissionAsync();
        var limit = smtp.MaxMessageSize!.Value;
        var huge = new byte[limit + 4096];
        Array.Fill(huge, (byte)'a');
        for (var i = 998; i < huge.Length; i += 1000)
        {
            huge[i] = (byte)'\r';
            huge[i + 1] = (byte)'\n';
        }

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(Owner.Address, [Owner.Address], huge));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Command, Is.EqualTo("MAIL"));
            Assert.That(ex.StatusCode, Is.EqualTo(552));
            Assert.That(ex.EnhancedStatusCode, Is.EqualTo("5.3.4"));
            Assert.That(ex.IsTransient, Is.False);
        });
        Assert.That(smtp.IsConnected, Is.True, "a refused MAIL leaves the session usable");
        await smtp.QuitAsync();
    }

    [Test]
    public async Task A_pipelined_send_reports_each_recipient_and_an_unknown_mailbox_with_550_5_1_1()
    {
        var unknown = $"{UniqueName("unknown")}@{MiSS.DevEnvironment.DevPki.Domain}";
        var message = Message("pipelined", "to two mailboxes and one that does not exist", out var messageId, to: $"{Owner.Address}, {Other.Address}");
        SmtpSendResult result;
        await using (var smtp = await OpenSubmissionAsync())
        {
            Assert.That(smtp.Extensions, Does.Contain("PIPELINING"));
            result = await smtp.SendAsync(Owner.Address, [Owner.Address, unknown, Other.Address], message);
            await smtp.QuitAsync();
        }

        try
        {
            Assert.That(result.Recipients.Select(r => (r.Address, r.Accepted)),
                Is.EqualTo(new[] { (Owner.Address, true), (unknown, false), (Other.Address, true) }));
            var refused = result.Recipients[1];
            Assert.That(refused.StatusCode, Is.EqualTo(550));
            Assert.That(refused.Response, Does.StartWith("5.1.1").And.Contain("User unknown"));
        }
        finally
        {
            foreach (var account in new[] { Owner, Other })
            {
                await using var imap = await OpenImapAsync(account);
                await imap.SelectAsync("INBOX");
                await RemoveOwnMessagesAsync(imap, [await WaitForMessageAsync(imap, messageId)]);
                await imap.LogoutAsync();
            }
        }
    }

    [Test]
    public async Task DSN_parameters_are_accepted_and_the_success_report_carries_the_envelope_id_and_original_recipient()
    {
        var envelopeId = "miss+it=" + Guid.NewGuid().ToString("N");
        var message = Message("dsn", "please report success", out var messageId);
        await using var imap = await OpenImapAsync();
        var inbox = await imap.SelectAsync("INBOX");
        var options = new SmtpSendOptions
        {
            Notify = DsnNotify.Success | DsnNotify.Failure,
            Return = DsnReturn.Headers,
            EnvelopeId = envelopeId,
            IncludeOriginalRecipient = true,
        };
        await using (var smtp = await OpenSubmissionAsync())
        {
            var result = await smtp.SendAsync(Owner.Address, [Owner.Address], message, options);
            Assert.That(result.Recipients.Single().Accepted, Is.True);
            await smtp.QuitAsync();
        }

        var mine = new List<uint>();
        try
        {
            mine.Add(await WaitForMessageAsync(imap, messageId));

            // The "delivered" report Postfix returns to the sender because of NOTIFY=SUCCESS.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            string? report = null;
            while (report is null && DateTime.UtcNow < deadline)
            {
                foreach (var uid in (await imap.UidSearchAsync($"UID {inbox.UidNext}:*")).Where(u => u >= inbox.UidNext && !mine.Contains(u)))
                {
                    var raw = Encoding.UTF8.GetString((await imap.UidFetchMessageAsync(uid)) ?? []);
                    if (raw.Contains(envelopeId, StringComparison.Ordinal))
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
                Assert.That(report, Does.Contain($"Original-Envelope-Id: {envelopeId}"), "ENVID, xtext-decoded by Postfix");
                Assert.That(report, Does.Contain($"Original-Recipient: rfc822;{Owner.Address}"), "ORCPT");
                // "relayed": Postfix hands the message to Dovecot's LMTP, which takes no DSN request of its own.
                Assert.That(report, Does.Match("Action: (delivered|relayed)"));
                Assert.That(report, Does.Contain("Status: 2.0.0"));
                Assert.That(report, Does.Contain("text/rfc822-headers"), "RET=HDRS returns only the headers");
            });
        }
        finally
        {
            await RemoveOwnMessagesAsync(imap, mine);
            await imap.LogoutAsync();
        }
    }
}
