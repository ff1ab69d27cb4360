using System.Diagnostics;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tests.Tls;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Smtp;

/// <summary>SmtpClient against scripted peers: what real servers cannot be made to do on demand.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class SmtpClientTests
{
    private static readonly TlsSettings Plaintext = new() { AllowPlaintext = true };
    private static readonly TlsSettings PlaintextRefused = new();
    private static readonly TlsSettings TrustTestCa = new() { TrustAnchors = [TestCertificates.Ca] };

    [Test]
    public async Task Connect_reads_a_postfix_greeting_and_the_ehlo_extensions()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 2.0.0 Bye");
        });
        await using var client = new SmtpClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        Assert.Multiple(() =>
        {
            Assert.That(client.Extensions, Is.SupersetOf(new[] { "PIPELINING", "SIZE", "AUTH", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN" }));
            Assert.That(client.MaxMessageSize, Is.EqualTo(10240000));
            Assert.That(client.IsSecure, Is.False);
        });
        await client.QuitAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Connect_falls_back_to_HELO_when_EHLO_is_not_recognised()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.SendAsync("220 old.test SMTP");
            await s.ExpectAsync("EHLO localhost");
            await s.SendAsync("502 5.5.2 Error: command not recognized");
            await s.ExpectAsync("HELO localhost");
            await s.SendAsync("250 old.test");
        });
        await using var client = new SmtpClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        Assert.That(client.Extensions, Is.Empty);
        Assert.That(client.MaxMessageSize, Is.Null);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task StartTls_upgrades_and_says_EHLO_again()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(ScriptedSmtpPeer.EhloBeforeTls);
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 2.0.0 Ready to start TLS");
            await s.StartTlsAsync(TestCertificates.Server);
            await s.ExpectAsync("EHLO localhost");
            await s.SendAsync(ScriptedSmtpPeer.EhloAfterTls);
        });
        await using var client = new SmtpClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.StartTls, TrustTestCa);

        Assert.Multiple(() =>
        {
            Assert.That(client.IsSecure, Is.True);
            Assert.That(client.Extensions, Does.Contain("AUTH"));
            Assert.That(client.Extensions, Does.Not.Contain("STARTTLS"));
        });
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Implicit_TLS_starts_the_handshake_before_the_greeting()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.StartTlsAsync(TestCertificates.Server);
            await s.GreetAsync();
        });
        await using var client = new SmtpClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.ImplicitTls, TrustTestCa);

        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.Extensions, Does.Contain("AUTH"));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Implicit_TLS_to_an_untrusted_server_fails_with_the_reason()
    {
        await using var peer = ScriptedSmtpPeer.Start(s => s.StartTlsAsync(TestCertificates.Server));
        await using var client = new SmtpClient();

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => client.ConnectAsync(
            "127.0.0.1", peer.Port, MailSecurity.ImplicitTls, new TlsSettings { TrustAnchors = [TestCertificates.OtherCa] }));

        Assert.That(ex!.Message, Does.Contain("untrusted root"));
        Assert.That(client.IsConnected, Is.False);
    }

    [Test]
    public async Task StartTls_discards_replies_injected_before_the_handshake()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(ScriptedSmtpPeer.EhloBeforeTls);
            await s.ExpectAsync("STARTTLS");
            // One write: the 220 and a forged EHLO reply arrive together, before TLS starts.
            await s.SendAsync("220 2.0.0 Ready to start TLS", "250-evil.test", "250 INJECTED");
            await s.StartTlsAsync(TestCertificates.Server);
            await s.ExpectAsync("EHLO localhost");
            await s.SendAsync("250-mail.test", "250 AUTH PLAIN");
        });
        await using var client = new SmtpClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.StartTls, TrustTestCa);

        Assert.That(client.Extensions, Is.EquivalentTo(new[] { "AUTH" }), "the forged INJECTED reply must have been discarded");
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task StartTls_required_but_not_offered_fails_without_downgrade()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(["250-mail.test", "250 AUTH PLAIN"]);
            await s.WaitForCloseAsync();
        });
        await using var client = new SmtpClient();

        var ex = await Assert.ThrowsAsync<MailTlsException>(
            () => client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.StartTls, TrustTestCa));

        Assert.That(ex!.Message, Does.Contain("does not offer STARTTLS"));
        Assert.That(client.IsConnected, Is.False);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Authenticate_uses_PLAIN_with_an_initial_response()
    {
        string? authLine = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            authLine = await s.ExpectAsync("AUTH PLAIN *");
            await s.SendAsync("235 2.7.0 Authentication successful");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await client.AuthenticateAsync("alice@mail.test", "pa\"ss wörd");

        await peer.AssertCompletedAsync();
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authLine!["AUTH PLAIN ".Length..]));
        Assert.That(decoded, Is.EqualTo("\0alice@mail.test\0pa\"ss wörd"));
    }

    [Test]
    public async Task Authenticate_uses_LOGIN_when_PLAIN_is_not_offered()
    {
        var received = new List<string>();
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(["250-mail.test", "250 AUTH LOGIN"]);
            await s.ExpectAsync("AUTH LOGIN");
            await s.SendAsync("334 VXNlcm5hbWU6");
            received.Add(await s.ReadLineAsync());
            await s.SendAsync("334 UGFzc3dvcmQ6");
            received.Add(await s.ReadLineAsync());
            await s.SendAsync("235 2.7.0 Authentication successful");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await client.AuthenticateAsync("bob", "secret");

        await peer.AssertCompletedAsync();
        Assert.That(received.Select(r => Encoding.UTF8.GetString(Convert.FromBase64String(r))), Is.EqualTo(new[] { "bob", "secret" }));
    }

    [Test]
    public async Task Authenticate_refuses_a_plaintext_channel_and_sends_nothing()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            // The next thing the client says must be QUIT, not AUTH.
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 2.0.0 Bye");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, PlaintextRefused);

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => client.AuthenticateAsync("alice", "secret"));
        Assert.That(ex!.Message, Does.Contain("without TLS"));
        await Assert.ThrowsAsync<MailTlsException>(
            () => client.SendAsync("a@mail.test", ["b@mail.test"], "x"u8.ToArray()));

        await client.QuitAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Authenticate_failure_reports_the_reply_but_never_the_password()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("AUTH PLAIN *");
            await s.SendAsync("535 5.7.8 Error: authentication failed: authentication failure");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync("alice", "hunter2-secret"));

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0hunter2-secret"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(535));
            Assert.That(ex.EnhancedStatusCode, Is.EqualTo("5.7.8"));
            Assert.That(ex.Command, Is.EqualTo("AUTH"));
            Assert.That(ex.ToString(), Does.Not.Contain("hunter2").And.Not.Contain(encoded));
        });
    }

    [Test]
    public async Task Send_dot_stuffs_and_normalises_line_ends_on_the_wire()
    {
        byte[]? data = null;
        string? mailFrom = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            mailFrom = await s.ExpectAsync("MAIL FROM:<alice@mail.test>*");
            await s.SendAsync("250 2.1.0 Ok");
            await s.ExpectAsync("RCPT TO:<bob@mail.test>");
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 End data with <CR><LF>.<CR><LF>");
            data = await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued as 4XyZ1");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);
        var message = "Subject: t\n\n.hidden\r\n..two\nbare\rcr\r\nend\r\n."u8.ToArray();

        var result = await client.SendAsync("alice@mail.test", ["bob@mail.test"], message);

        await peer.AssertCompletedAsync();
        var expected = "Subject: t\r\n\r\n..hidden\r\n...two\r\nbare\r\ncr\r\nend\r\n..\r\n.\r\n";
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(data!), Is.EqualTo(expected));
            Assert.That(mailFrom, Is.EqualTo($"MAIL FROM:<alice@mail.test> SIZE={expected.Length - 6}"));
            Assert.That(result.QueuedResponse, Is.EqualTo("Ok: queued as 4XyZ1"));
            Assert.That(result.Recipients.Single().Accepted, Is.True);
        });
    }

    [Test]
    public async Task Send_declares_8BITMIME_for_eight_bit_content()
    {
        string? mailFrom = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            mailFrom = await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            await s.ExpectAsync("RCPT TO:<bob@mail.test>");
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await client.SendAsync(string.Empty, ["bob@mail.test"], Encoding.UTF8.GetBytes("Subject: x\r\n\r\nGrüße\r\n"));

        Assert.That(mailFrom, Does.StartWith("MAIL FROM:<> SIZE=").And.EndWith(" BODY=8BITMIME"));
    }

    [Test]
    public async Task Send_reports_a_refused_recipient_among_accepted_ones()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            await s.ExpectAsync("RCPT TO:<a@mail.test>");
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("RCPT TO:<nobody@mail.test>");
            await s.SendAsync("550 5.1.1 <nobody@mail.test>: Recipient address rejected: User unknown");
            await s.ExpectAsync("RCPT TO:<c@mail.test>");
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued as ABC");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var result = await client.SendAsync("me@mail.test", ["a@mail.test", "nobody@mail.test", "c@mail.test"], "x\r\n"u8.ToArray());

        Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, true }));
        var refused = result.Recipients[1];
        Assert.Multiple(() =>
        {
            Assert.That(refused.Address, Is.EqualTo("nobody@mail.test"));
            Assert.That(refused.StatusCode, Is.EqualTo(550));
            Assert.That(refused.Response, Does.Contain("User unknown"));
        });
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Send_throws_when_every_recipient_is_refused_and_resets_the_transaction()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            await s.ExpectAsync("RCPT TO:<x@mail.test>");
            await s.SendAsync("550 5.1.1 <x@mail.test>: User unknown");
            await s.ExpectAsync("RCPT TO:<y@mail.test>");
            await s.SendAsync("450 4.2.0 <y@mail.test>: Greylisted");
            await s.ExpectAsync("RSET");
            await s.SendAsync("250 2.0.0 Ok");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test", "y@mail.test"], "x\r\n"u8.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Command, Is.EqualTo("RCPT"));
            Assert.That(ex.StatusCode, Is.EqualTo(550));
            Assert.That(ex.EnhancedStatusCode, Is.EqualTo("5.1.1"));
            Assert.That(ex.Recipients, Has.Count.EqualTo(2));
            Assert.That(ex.Recipients[1].StatusCode, Is.EqualTo(450));
        });
        await peer.AssertCompletedAsync();
        Assert.That(client.IsConnected, Is.True);
    }

    [Test]
    public async Task Send_throws_when_MAIL_is_refused()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("552 5.3.4 Message size exceeds fixed limit");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test"], "x\r\n"u8.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Command, Is.EqualTo("MAIL"));
            Assert.That(ex.StatusCode, Is.EqualTo(552));
            Assert.That(ex.EnhancedStatusCode, Is.EqualTo("5.3.4"));
            Assert.That(ex.ServerText, Is.EqualTo("Message size exceeds fixed limit"));
            Assert.That(ex.IsTransient, Is.False);
        });
    }

    [Test]
    public async Task Send_throws_when_the_data_is_refused()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            await s.ExpectAsync("RCPT TO:*");
            await s.SendAsync("250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("554 5.7.1 Rejected by content filter");
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test"], "secret body line\r\n"u8.ToArray()));

        Assert.That(ex!.Command, Is.EqualTo("DATA"));
        Assert.That(ex.ToString(), Does.Not.Contain("secret body line"));
    }

    [Test]
    public async Task A_server_that_drops_the_connection_mid_reply_fails_fast()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedSmtpPeer.Greeting);
            await s.ExpectAsync("EHLO localhost");
            await s.SendRawAsync("250-mail.test\r\n250-PIPELI"u8.ToArray());
            s.Close();
        });
        await using var client = new SmtpClient();
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext));

        Assert.That(ex!.Message, Does.Contain("connection closed by server while waiting for the reply to EHLO"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "must not wait for the 2 min command timeout");
    }

    [Test]
    public async Task A_server_that_resets_the_connection_is_reported_as_dropped()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            s.Abort();
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test"], "x"u8.ToArray()));

        Assert.That(ex!.Message, Does.Match("(connection closed by server|connection dropped) while waiting for the reply to MAIL"));
        var again = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test"], "x"u8.ToArray()));
        Assert.That(again!.Message, Does.Contain("no longer usable"));
    }

    [Test]
    public async Task A_server_that_never_answers_times_out()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedSmtpPeer.Greeting);
            await s.ExpectAsync("EHLO localhost");
            await s.HangAsync();
        });
        await using var client = new SmtpClient(new SmtpClientOptions { CommandTimeout = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.IsTimeout, Is.True);
            Assert.That(ex.Message, Does.Contain("timed out after 300 ms while waiting for the reply to EHLO"));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [Test]
    public async Task Cancellation_is_honoured_while_waiting_for_a_reply()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedSmtpPeer.Greeting);
            await s.HangAsync();
        });
        await using var client = new SmtpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(
            async () => await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext, cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_421_in_the_middle_of_a_transaction_ends_it_at_once()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            await s.ExpectAsync("RCPT TO:<a@mail.test>");
            await s.SendAsync("421 4.4.2 mail.test Error: timeout exceeded");
            await s.WaitForCloseAsync();
        });
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["a@mail.test", "b@mail.test"], "x"u8.ToArray()));

        Assert.That((ex!.Command, ex.StatusCode), Is.EqualTo(("RCPT", 421)));
        Assert.That(client.IsConnected, Is.False);
    }

    [Test]
    public async Task A_421_greeting_is_a_command_exception()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.SendAsync("421 4.3.2 mail.test Service not available, closing transmission channel");
        });
        await using var client = new SmtpClient();

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext));

        Assert.That(ex!.StatusCode, Is.EqualTo(421));
        Assert.That(ex.IsTransient, Is.True);
    }

    [Test]
    public async Task Connecting_to_a_closed_port_is_a_connection_exception()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.ConnectAsync("127.0.0.1", port, MailSecurity.None, Plaintext));
        Assert.That(ex!.Message, Does.Contain("connection refused"));
    }

    [Test]
    public async Task Addresses_with_line_breaks_are_rejected_before_anything_is_sent()
    {
        await using var peer = ScriptedSmtpPeer.Start(s => s.GreetAsync());
        await using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await Assert.ThrowsAsync<ArgumentException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test>\r\nRCPT TO:<evil@mail.test"], "x"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("me@mail.test", [], "x"u8.ToArray()));
    }
}
