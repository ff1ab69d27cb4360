using System.Text;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;

namespace MiSS.Core.Tests.Transport;

/// <summary>What <see cref="SubmissionClient"/> puts on the wire and how it reports the server's answers, against a scripted peer.</summary>
[CancelAfter(30_000)]
public class SubmissionClientTests
{
    const string Sender = "claire.martin@dev.mssante.test";
    const string Julien = "julien.bernard@dev.mssante.test";
    const string Unknown = "inconnu@dev.mssante.test";
    const string Sophie = "sophie.petit@dev.mssante.test";

    static MimeKit.MimeMessage Message(out string messageId)
    {
        messageId = $"{Guid.NewGuid():N}@dev.mssante.test";
        var text = $"From: {Sender}\r\nTo: {Julien}\r\nSubject: test\r\nMessage-ID: <{messageId}>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n";
        return MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Opens a session on the peer: STARTTLS then AUTH PLAIN, as the outbox does.</summary>
    static async Task<SubmissionClient> OpenAsync(ScriptedPeer peer) =>
        await TransportTestOptions.For(peer.Port).OpenSmtpAsync(NullLogger.Instance, CancellationToken.None);

    static async Task LogInAsync(PeerSession s)
    {
        await s.GreetWithStartTlsAsync();
        await s.ExpectAsync("AUTH PLAIN *");
        await s.SendAsync("235 2.7.0 Authentication successful");
    }

    [Test]
    public async Task The_DSN_parameters_are_on_the_wire_and_a_refused_recipient_does_not_abort_the_others()
    {
        var message = Message(out var messageId);
        string? mail = null;
        var rcpts = new List<string>();
        byte[]? data = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await LogInAsync(s);
            mail = await s.ExpectAsync($"MAIL FROM:<{Sender}>*");
            await s.SendAsync("250 2.1.0 Ok");
            rcpts.Add(await s.ExpectAsync($"RCPT TO:<{Julien}>*"));
            await s.SendAsync("250 2.1.5 Ok");
            rcpts.Add(await s.ExpectAsync($"RCPT TO:<{Unknown}>*"));
            await s.SendAsync($"550 5.1.1 <{Unknown}>: Recipient address rejected: User unknown");
            rcpts.Add(await s.ExpectAsync($"RCPT TO:<{Sophie}>*"));
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 End data with <CR><LF>.<CR><LF>");
            data = await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued as 4AB12");
        });
        using var client = await OpenAsync(peer);

        var result = await client.SubmitAsync(message, Sender, [Julien, Unknown, Sophie], notify: true, CancellationToken.None);

        await peer.AssertCompletedAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.Accepted, Is.EqualTo(new[] { Julien, Sophie }));
            Assert.That(result.Refused.Single(), Is.EqualTo(new RecipientRefusal(Unknown, 550, $"5.1.1 <{Unknown}>: Recipient address rejected: User unknown")));
            Assert.That(result.TransactionRefusal, Is.Null);
            Assert.That(mail, Does.Contain(" RET=HDRS").And.Contain($" ENVID={messageId}"));
            Assert.That(rcpts, Has.All.Contain(" NOTIFY=SUCCESS,FAILURE"));
            Assert.That(rcpts[0], Does.Contain($" ORCPT=rfc822;{Julien}"));
            Assert.That(Encoding.UTF8.GetString(data!), Does.Contain($"Message-ID: <{messageId}>").And.Contain("Bonjour"));
        });
    }

    [Test]
    public async Task A_read_receipt_asks_for_no_delivery_report()
    {
        string? rcpt = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await LogInAsync(s);
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            rcpt = await s.ExpectAsync("RCPT TO:*");
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go ahead");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok");
        });
        using var client = await OpenAsync(peer);

        await client.SubmitAsync(Message(out _), Sender, [Julien], notify: false, CancellationToken.None);

        await peer.AssertCompletedAsync();
        Assert.That(rcpt, Does.Contain(" NOTIFY=NEVER").And.Not.Contain("SUCCESS"));
    }

    [Test]
    public async Task A_permanent_refusal_at_MAIL_FROM_is_reported_as_a_refusal_of_the_transaction_not_a_connection_failure()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await LogInAsync(s);
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("554 5.7.1 <claire.martin@dev.mssante.test>: Sender address rejected: not owned by user");
            // MailKit pipelines RCPT TO behind MAIL FROM: each is answered, then the transaction is reset.
            await s.ExpectAsync("RCPT TO:*");
            await s.SendAsync("503 5.5.1 Error: need MAIL command");
            await s.ExpectAsync("RSET");
            await s.SendAsync("250 2.0.0 Ok");
        });
        using var client = await OpenAsync(peer);

        var result = await client.SubmitAsync(Message(out _), Sender, [Julien], notify: true, CancellationToken.None);

        await peer.AssertCompletedAsync();
        Assert.That(result.TransactionRefusal, Is.Not.Null);
        Assert.That((int)result.TransactionRefusal!.StatusCode, Is.EqualTo(554));
        Assert.That(result.Accepted, Is.Empty);
        Assert.That(result.Refused.Select(r => (r.Address, r.StatusCode)), Is.EqualTo(new[] { (Julien, 554) }));
        Assert.That(client.IsConnected, Is.True);
    }

    [Test]
    public async Task A_transient_refusal_or_a_dropped_connection_throws_so_that_the_outbox_retries_later()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await LogInAsync(s);
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("451 4.3.0 Error: queue file write error");
            await s.ExpectAsync("RCPT TO:*");
            await s.SendAsync("503 5.5.1 Error: need MAIL command");
            await s.ExpectAsync("RSET");
            await s.SendAsync("250 2.0.0 Ok");
            await s.ExpectAsync("MAIL FROM:*");
            s.Abort();
        });
        using var client = await OpenAsync(peer);

        var transient = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SubmitAsync(Message(out _), Sender, [Julien], true, CancellationToken.None));
        var dropped = await Assert.ThrowsAsync(Is.InstanceOf<Exception>(), () => client.SubmitAsync(Message(out _), Sender, [Julien], true, CancellationToken.None));

        await peer.AssertCompletedAsync();
        Assert.That((int)transient!.StatusCode, Is.EqualTo(451));
        Assert.That(TransportFailure.Is(transient), Is.True);
        Assert.That(TransportFailure.Is(dropped!), Is.True, dropped!.ToString());
        Assert.That(TransportFailure.Describe(dropped), Does.Contain("connexion au serveur de messagerie"));
    }
}
