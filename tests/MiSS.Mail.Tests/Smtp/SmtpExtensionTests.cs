using System.Diagnostics;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tests.Tls;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Smtp;

/// <summary>XOAUTH2, explicit password mechanisms, DSN parameters and PIPELINING, against scripted peers.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class SmtpExtensionTests
{
    private const string Token = "ya29.a0AfH6SMBx-secret-token_value";

    private static readonly TlsSettings Plaintext = new() { AllowPlaintext = true };

    /// <summary>Postfix's EHLO without PIPELINING, for the one-command-at-a-time path.</summary>
    private static readonly string[] EhloWithoutPipelining =
        ["250-mail.test", "250-SIZE 10240000", "250-AUTH PLAIN LOGIN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250 SMTPUTF8"];

    private static readonly string[] EhloWithXOAuth2 =
        ["250-smtp.gmail.test", "250-SIZE 35882577", "250-8BITMIME", "250-AUTH LOGIN PLAIN XOAUTH2 OAUTHBEARER", "250-ENHANCEDSTATUSCODES", "250-PIPELINING", "250 SMTPUTF8"];

    private static async Task<SmtpClient> ConnectAsync(ScriptedPeer peer, TlsSettings? tls = null)
    {
        var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, tls ?? Plaintext);
        return client;
    }

    private static string DecodeBase64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text));

    [Test]
    public async Task XOAUTH2_sends_user_and_bearer_token_as_the_initial_response()
    {
        string? auth = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(EhloWithXOAuth2);
            auth = await s.ExpectAsync("AUTH XOAUTH2 *");
            await s.SendAsync("235 2.7.0 Accepted");
        });
        await using var client = await ConnectAsync(peer);

        await client.AuthenticateOAuth2Async("alice@gmail.test", Token);

        await peer.AssertCompletedAsync();
        Assert.That(DecodeBase64(auth!["AUTH XOAUTH2 ".Length..]), Is.EqualTo($"user=alice@gmail.test\u0001auth=Bearer {Token}\u0001\u0001"));
    }

    [Test]
    public async Task XOAUTH2_answers_the_JSON_error_challenge_with_an_empty_line_and_reports_the_final_error()
    {
        var json = Convert.ToBase64String("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}"u8.ToArray());
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(EhloWithXOAuth2);
            await s.ExpectAsync("AUTH XOAUTH2 *");
            await s.SendAsync($"334 {json}");
            await s.ExpectAsync(string.Empty);
            await s.SendAsync("535-5.7.8 Username and Password not accepted. For more information, go to", "535 5.7.8  https://support.google.test/mail/?p=BadCredentials");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 2.0.0 closing connection");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateOAuth2Async("alice@gmail.test", Token));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Command, Is.EqualTo("AUTH"));
            Assert.That(ex.StatusCode, Is.EqualTo(535));
            Assert.That(ex.EnhancedStatusCode, Is.EqualTo("5.7.8"));
            Assert.That(ex.Message, Does.Contain("OAuth2 status 401"));
            Assert.That(ex.ToString(), Does.Not.Contain(Token).And.Not.Contain("secret-token"));
            Assert.That(client.IsConnected, Is.True);
        });
        await client.QuitAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task XOAUTH2_with_a_token_too_long_for_one_line_waits_for_the_empty_challenge()
    {
        var token = new string('t', 13_000);
        string? response = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(EhloWithXOAuth2);
            await s.ExpectAsync("AUTH XOAUTH2");
            await s.SendAsync("334 ");
            response = await s.ReadLineAsync();
            await s.SendAsync("235 2.7.0 Accepted");
        });
        await using var client = await ConnectAsync(peer);

        await client.AuthenticateOAuth2Async("bob@gmail.test", token);

        await peer.AssertCompletedAsync();
        Assert.That(DecodeBase64(response!), Does.EndWith($"auth=Bearer {token}\u0001\u0001"));
    }

    [Test]
    public async Task XOAUTH2_not_offered_or_on_a_plaintext_channel_sends_nothing()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 2.0.0 Bye");
        });
        await using var client = await ConnectAsync(peer);

        var notOffered = await Assert.ThrowsAsync<MailException>(() => client.AuthenticateOAuth2Async("a@mail.test", Token));
        Assert.That(notOffered!.Message, Does.Contain("does not offer AUTH XOAUTH2"));

        await client.QuitAsync();
        await peer.AssertCompletedAsync();

        await using var clearPeer = ScriptedSmtpPeer.Start(s => s.GreetAsync(EhloWithXOAuth2));
        await using var clear = await ConnectAsync(clearPeer, new TlsSettings());
        await Assert.ThrowsAsync<MailTlsException>(() => clear.AuthenticateOAuth2Async("a@mail.test", Token));
    }

    [TestCase("zq9 xw7")]
    [TestCase("zq9\u0001xw7")]
    [TestCase("zq9\r\nxw7")]
    [TestCase("")]
    public async Task XOAUTH2_refuses_an_unusable_token_without_quoting_it(string token)
    {
        await using var client = new SmtpClient();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.AuthenticateOAuth2Async("a@mail.test", token));

        Assert.That(ex!.Message, Does.Not.Contain("zq9").And.Not.Contain("xw7"));
    }

    [Test]
    public async Task An_explicit_LOGIN_is_used_even_when_PLAIN_is_offered()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("AUTH LOGIN");
            await s.SendAsync("334 VXNlcm5hbWU6");
            await s.ExpectAsync(Convert.ToBase64String("bob"u8.ToArray()));
            await s.SendAsync("334 UGFzc3dvcmQ6");
            await s.ExpectAsync(Convert.ToBase64String("secret"u8.ToArray()));
            await s.SendAsync("235 2.7.0 Authentication successful");
        });
        await using var client = await ConnectAsync(peer);

        await client.AuthenticateAsync("bob", "secret", SmtpAuthMechanism.Login);

        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task An_explicit_mechanism_that_is_not_offered_is_refused_before_anything_is_sent()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(["250-mail.test", "250 AUTH PLAIN"]);
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 Bye");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<MailException>(() => client.AuthenticateAsync("bob", "secret", SmtpAuthMechanism.Login));

        Assert.That(ex!.Message, Does.Contain("does not offer AUTH LOGIN"));
        await client.QuitAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task DSN_parameters_go_on_MAIL_and_on_each_RCPT_with_xtext_encoding()
    {
        var lines = new List<string>();
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            lines.Add(await s.ExpectAsync("MAIL FROM:*"));
            lines.Add(await s.ExpectAsync("RCPT TO:*"));
            lines.Add(await s.ExpectAsync("RCPT TO:*"));
            await s.SendAsync("250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued as 1");
        });
        await using var client = await ConnectAsync(peer);
        var options = new SmtpSendOptions
        {
            Notify = DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay,
            Return = DsnReturn.Headers,
            EnvelopeId = "id+1=a b",
            IncludeOriginalRecipient = true,
        };

        await client.SendAsync("me@mail.test", ["a+tag@mail.test", "b@mail.test"], "x\r\n"u8.ToArray(), options);

        await peer.AssertCompletedAsync();
        Assert.That(lines, Is.EqualTo(new[]
        {
            "MAIL FROM:<me@mail.test> SIZE=3 RET=HDRS ENVID=id+2B1+3Da+20b",
            "RCPT TO:<a+tag@mail.test> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;a+2Btag@mail.test",
            "RCPT TO:<b@mail.test> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;b@mail.test",
        }));
    }

    [Test]
    public async Task DSN_NEVER_and_RET_FULL_without_ORCPT()
    {
        var lines = new List<string>();
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            lines.Add(await s.ExpectAsync("MAIL FROM:*"));
            lines.Add(await s.ExpectAsync("RCPT TO:*"));
            await s.SendAsync("250 2.1.0 Ok", "250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok");
        });
        await using var client = await ConnectAsync(peer);

        await client.SendAsync(
            "me@mail.test", ["a@mail.test"], "x\r\n"u8.ToArray(), new SmtpSendOptions { Notify = DsnNotify.Never, Return = DsnReturn.Full });

        await peer.AssertCompletedAsync();
        Assert.That(lines, Is.EqualTo(new[] { "MAIL FROM:<me@mail.test> SIZE=3 RET=FULL", "RCPT TO:<a@mail.test> NOTIFY=NEVER" }));
    }

    [Test]
    public async Task DSN_parameters_are_left_out_silently_when_the_server_does_not_offer_DSN()
    {
        var lines = new List<string>();
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(["250-old.test", "250-SIZE 1000", "250 8BITMIME"]);
            lines.Add(await s.ExpectAsync("MAIL FROM:*"));
            await s.SendAsync("250 Ok");
            lines.Add(await s.ExpectAsync("RCPT TO:*"));
            await s.SendAsync("250 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok");
        });
        await using var client = await ConnectAsync(peer);
        var options = new SmtpSendOptions { Notify = DsnNotify.Failure, Return = DsnReturn.Full, EnvelopeId = "e1", IncludeOriginalRecipient = true };

        await client.SendAsync("me@mail.test", ["a@mail.test"], "x\r\n"u8.ToArray(), options);

        await peer.AssertCompletedAsync();
        Assert.That(lines, Is.EqualTo(new[] { "MAIL FROM:<me@mail.test> SIZE=3", "RCPT TO:<a@mail.test>" }));
    }

    [Test]
    public async Task ORCPT_is_left_out_for_a_non_ASCII_address()
    {
        string? rcpt = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            rcpt = await s.ExpectAsync("RCPT TO:*");
            await s.SendAsync("250 Ok", "250 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok");
        });
        await using var client = await ConnectAsync(peer);

        await client.SendAsync(
            "me@mail.test", ["zoë@mail.test"], "x\r\n"u8.ToArray(),
            new SmtpSendOptions { Notify = DsnNotify.Failure, IncludeOriginalRecipient = true });

        Assert.That(rcpt, Is.EqualTo("RCPT TO:<zoë@mail.test> NOTIFY=FAILURE"));
    }

    [TestCase(DsnNotify.Never | DsnNotify.Success, null)]
    [TestCase((DsnNotify)64, null)]
    [TestCase(DsnNotify.None, "")]
    [TestCase(DsnNotify.None, "é")]
    [TestCase(DsnNotify.None, "line\r\nbreak")]
    public async Task Contradictory_or_malformed_DSN_options_are_refused(DsnNotify notify, string? envelopeId)
    {
        await using var client = new SmtpClient();

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(
            "me@mail.test", ["a@mail.test"], "x"u8.ToArray(), new SmtpSendOptions { Notify = notify, EnvelopeId = envelopeId }));
    }

    [Test]
    public async Task An_envelope_id_longer_than_100_characters_once_encoded_is_refused()
    {
        await using var client = new SmtpClient();
        var fits = new string('a', 100);
        var tooLong = new string('+', 34);

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(
            "me@mail.test", ["a@mail.test"], "x"u8.ToArray(), new SmtpSendOptions { EnvelopeId = tooLong }));
        Assert.That(SmtpXText.Encode(fits), Has.Length.EqualTo(100));
        Assert.That(SmtpXText.Encode(tooLong), Has.Length.EqualTo(102));
    }

    [TestCase("plain", "plain")]
    [TestCase("a+b=c", "a+2Bb+3Dc")]
    [TestCase("sp ce\t", "sp+20ce+09")]
    [TestCase("é", "+C3+A9")]
    [TestCase("!~", "!~")]
    public void Xtext_encodes_plus_equals_and_non_graphic_bytes(string value, string encoded)
    {
        Assert.That(SmtpXText.Encode(value), Is.EqualTo(encoded));
    }

    [Test]
    public async Task With_PIPELINING_MAIL_and_every_RCPT_arrive_before_any_reply()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();

            // The peer reads all four commands before answering anything: a client waiting for the MAIL reply
            // would leave this step to time out.
            await s.ExpectAsync("MAIL FROM:<me@mail.test>*");
            await s.ExpectAsync("RCPT TO:<a@mail.test>");
            await s.ExpectAsync("RCPT TO:<nobody@mail.test>");
            await s.ExpectAsync("RCPT TO:<c@mail.test>");
            await s.SendAsync(
                "250 2.1.0 Ok",
                "250 2.1.5 Ok",
                "550 5.1.1 <nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table",
                "250 2.1.5 Ok");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 End data with <CR><LF>.<CR><LF>");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued as ABC");
        });
        await using var client = await ConnectAsync(peer);

        var result = await client.SendAsync("me@mail.test", ["a@mail.test", "nobody@mail.test", "c@mail.test"], "x\r\n"u8.ToArray());

        await peer.AssertCompletedAsync();
        Assert.That(result.Recipients.Select(r => (r.Accepted, r.StatusCode)), Is.EqualTo(new[] { (true, 250), (false, 550), (true, 250) }));
        Assert.That(result.Recipients[1].Response, Does.StartWith("5.1.1 <nobody@mail.test>"));
    }

    [Test]
    public async Task Pipelined_and_unpipelined_sends_give_identical_results()
    {
        async Task<SmtpSendResult> SendAsync(bool pipelining)
        {
            await using var peer = ScriptedSmtpPeer.Start(async s =>
            {
                await s.GreetAsync(pipelining ? ScriptedSmtpPeer.EhloAfterTls : EhloWithoutPipelining);
                string[] replies = ["250 2.1.0 Ok", "250 2.1.5 Ok", "550 5.1.1 <x@mail.test>: User unknown", "450 4.2.0 <y@mail.test>: Greylisted", "250 2.1.5 Ok"];
                string[] commands = ["MAIL FROM:*", "RCPT TO:<w@mail.test>", "RCPT TO:<x@mail.test>", "RCPT TO:<y@mail.test>", "RCPT TO:<z@mail.test>"];
                for (var i = 0; i < commands.Length; i++)
                {
                    await s.ExpectAsync(commands[i]);
                    await s.SendAsync(replies[i]);
                }

                await s.ExpectAsync("DATA");
                await s.SendAsync("354 go");
                await s.ReadDataAsync();
                await s.SendAsync("250 2.0.0 Ok: queued as Q1");
            });
            await using var client = await ConnectAsync(peer);
            var result = await client.SendAsync("me@mail.test", ["w@mail.test", "x@mail.test", "y@mail.test", "z@mail.test"], "x\r\n"u8.ToArray());
            await peer.AssertCompletedAsync();
            return result;
        }

        var pipelined = await SendAsync(pipelining: true);
        var oneByOne = await SendAsync(pipelining: false);

        Assert.That(pipelined.Recipients, Is.EqualTo(oneByOne.Recipients));
        Assert.That(pipelined.QueuedResponse, Is.EqualTo(oneByOne.QueuedResponse));
    }

    [Test]
    public async Task A_pipelined_MAIL_refusal_reads_every_reply_and_leaves_the_session_usable()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.ExpectAsync("RCPT TO:<a@mail.test>");
            await s.ExpectAsync("RCPT TO:<b@mail.test>");
            await s.SendAsync(
                "552 5.3.4 Message size exceeds fixed limit",
                "503 5.5.1 Error: need MAIL command",
                "503 5.5.1 Error: need MAIL command");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 2.0.0 Bye");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["a@mail.test", "b@mail.test"], "x\r\n"u8.ToArray()));

        Assert.That((ex!.Command, ex.StatusCode, ex.EnhancedStatusCode), Is.EqualTo(("MAIL", 552, "5.3.4")));
        Assert.That(client.IsConnected, Is.True);
        await client.QuitAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task A_pipelined_send_with_every_recipient_refused_resets_and_reports_each()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.ExpectAsync("RCPT TO:*");
            await s.ExpectAsync("RCPT TO:*");
            await s.SendAsync("250 2.1.0 Ok", "550 5.1.1 <x@mail.test>: User unknown", "550 5.1.1 <y@mail.test>: User unknown");
            await s.ExpectAsync("RSET");
            await s.SendAsync("250 2.0.0 Ok");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["x@mail.test", "y@mail.test"], "x\r\n"u8.ToArray()));

        Assert.That(ex!.Recipients.Select(r => r.Address), Is.EqualTo(new[] { "x@mail.test", "y@mail.test" }));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task A_421_among_pipelined_replies_ends_the_session_at_once()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok", "421 4.4.2 mail.test Error: timeout exceeded");
            await s.WaitForCloseAsync();
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync("me@mail.test", ["a@mail.test", "b@mail.test"], "x"u8.ToArray()));

        Assert.That((ex!.Command, ex.StatusCode), Is.EqualTo(("RCPT", 421)));
        Assert.That(client.IsConnected, Is.False);
    }

    [Test]
    public async Task A_connection_dropped_during_pipelined_replies_fails_fast()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            s.Close();
        });
        await using var client = await ConnectAsync(peer);
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.SendAsync("me@mail.test", ["a@mail.test", "b@mail.test"], "x"u8.ToArray()));

        Assert.That(ex!.Message, Does.Match("(connection closed by server|connection dropped) while waiting for the reply to RCPT"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(client.IsConnected, Is.False);
    }

    [Test]
    public async Task A_large_pipelined_group_is_written_while_the_replies_are_read()
    {
        var recipients = Enumerable.Range(0, 3000).Select(i => $"recipient-number-{i:D5}@a-rather-long-domain-name.mail.test").ToArray();
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();

            // Answer each command as it is read, the way a server works through its input.
            await s.ExpectAsync("MAIL FROM:*");
            await s.SendAsync("250 2.1.0 Ok");
            foreach (var recipient in recipients)
            {
                await s.ExpectAsync($"RCPT TO:<{recipient}>");
                await s.SendAsync("250 2.1.5 Ok");
            }

            await s.ExpectAsync("DATA");
            await s.SendAsync("354 go");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 Ok: queued");
        });
        await using var client = await ConnectAsync(peer);

        var result = await client.SendAsync("me@mail.test", recipients, "x\r\n"u8.ToArray());

        Assert.That(result.Recipients, Has.Count.EqualTo(3000));
        Assert.That(result.Recipients.All(r => r.Accepted), Is.True);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public void The_OAuth2_error_challenge_is_described_by_its_status_and_never_fails()
    {
        var challenge = Convert.ToBase64String("{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"mail\\u0007\"}"u8.ToArray());

        Assert.That(MiSS.Mail.Net.SaslOAuth2.DescribeErrorChallenge(challenge), Is.EqualTo(" (OAuth2 status 401, schemes Bearer, scope mail?)"));
        Assert.That(MiSS.Mail.Net.SaslOAuth2.DescribeErrorChallenge("not base64!"), Is.Empty);
        Assert.That(MiSS.Mail.Net.SaslOAuth2.DescribeErrorChallenge(Convert.ToBase64String("[1,2]"u8.ToArray())), Is.Empty);
        Assert.That(MiSS.Mail.Net.SaslOAuth2.DescribeErrorChallenge(Convert.ToBase64String("{oops"u8.ToArray())), Is.Empty);
    }
}
