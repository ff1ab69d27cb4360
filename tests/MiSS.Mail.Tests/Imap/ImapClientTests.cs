using System.Diagnostics;
using System.Globalization;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Imap;
using MiSS.Mail.Tests.Tls;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Imap;

/// <summary>ImapClient against scripted peers: what real servers cannot be made to do on demand.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ImapClientTests
{
    private static readonly TlsSettings Plaintext = new() { AllowPlaintext = true };
    private static readonly TlsSettings TrustTestCa = new() { TrustAnchors = [TestCertificates.Ca] };

    private static async Task ExpectLogoutAsync(PeerSession s, string tag)
    {
        await s.ExpectCommandAsync(tag, "LOGOUT");
        await s.SendAsync("* BYE Logging out", $"{tag} OK Logout completed.");
    }

    [Test]
    public async Task Connect_uses_the_capabilities_of_a_Dovecot_greeting()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await ExpectLogoutAsync(s, "A0001");
        });
        await using var client = new ImapClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        Assert.That(client.Capabilities, Is.SupersetOf(new[] { "IMAP4REV1", "IDLE", "LITERAL+", "STARTTLS", "AUTH=PLAIN" }));
        await client.LogoutAsync();
        await peer.AssertCompletedAsync();
        Assert.That(client.IsConnected, Is.False);
    }

    [Test]
    public async Task Connect_asks_for_capabilities_when_the_greeting_has_none()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK IMAP ready");
            await s.ExpectCommandAsync("A0001", "CAPABILITY");
            await s.SendAsync("* CAPABILITY IMAP4rev1 IDLE", "A0001 OK Capability completed.");
        });
        await using var client = new ImapClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        Assert.That(client.Capabilities, Is.EquivalentTo(new[] { "IMAP4REV1", "IDLE" }));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task StartTls_upgrades_discards_injected_responses_and_asks_for_capabilities_again()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "STARTTLS");
            // One write: the OK and forged answers to the next command arrive together, before TLS starts.
            await s.SendAsync("A0001 OK Begin TLS negotiation now.", "* CAPABILITY IMAP4rev1 INJECTED", "A0002 OK injected");
            await s.StartTlsAsync(TestCertificates.Server);
            await s.ExpectCommandAsync("A0002", "CAPABILITY");
            await s.SendAsync("* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN", "A0002 OK Pre-login capabilities listed, post-login capabilities have more.");
        });
        await using var client = new ImapClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.StartTls, TrustTestCa);

        Assert.Multiple(() =>
        {
            Assert.That(client.IsSecure, Is.True);
            Assert.That(client.Capabilities, Is.EquivalentTo(new[] { "IMAP4REV1", "IDLE", "AUTH=PLAIN" }));
        });
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Implicit_TLS_starts_the_handshake_before_the_greeting()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.StartTlsAsync(TestCertificates.Server);
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot (Debian) ready.");
            await s.ExpectCommandAsync("A0001", "LOGIN alice secret");
            await s.SendAsync($"A0001 OK [CAPABILITY {ScriptedImapPeer.LoggedInCapabilities}] Logged in");
        });
        await using var client = new ImapClient();

        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.ImplicitTls, TrustTestCa);
        await client.LoginAsync("alice", "secret");

        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.IsAuthenticated, Is.True);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task StartTls_required_but_not_offered_fails_without_downgrade()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] ready");
            await s.WaitForCloseAsync();
        });
        await using var client = new ImapClient();

        var ex = await Assert.ThrowsAsync<MailTlsException>(
            () => client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.StartTls, TrustTestCa));

        Assert.That(ex!.Message, Does.Contain("does not offer STARTTLS"));
    }

    [Test]
    public async Task Login_is_refused_on_a_plaintext_channel_even_if_the_server_would_accept_it()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            // Like Dovecot on 127.0.0.1: no LOGINDISABLED, plain LOGIN would be accepted.
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await ExpectLogoutAsync(s, "A0001");
        });
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, new TlsSettings());

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => client.LoginAsync("alice", "secret"));

        Assert.That(ex!.Message, Does.Contain("without TLS"));
        await client.LogoutAsync();
        await peer.AssertCompletedAsync();
        Assert.That(peer.Completion.IsCompletedSuccessfully, Is.True, "the next command after the refusal was LOGOUT, not LOGIN");
    }

    [Test]
    public async Task Login_quotes_arguments_and_takes_capabilities_from_the_tagged_OK()
    {
        string? login = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            login = await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync($"A0001 OK [CAPABILITY {ScriptedImapPeer.LoggedInCapabilities}] Logged in");
            await ExpectLogoutAsync(s, "A0002");
        });
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await client.LoginAsync("alice@mail.test", "pa\"ss\\ word");

        Assert.That(login, Is.EqualTo("LOGIN alice@mail.test \"pa\\\"ss\\\\ word\""));
        Assert.That(client.Capabilities, Does.Contain("MOVE").And.Not.Contain("STARTTLS"));
        Assert.That(client.IsAuthenticated, Is.True);
        await client.LogoutAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Login_sends_a_non_ASCII_password_as_a_synchronizing_literal()
    {
        byte[]? literal = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 IDLE] ready");
            var size = Encoding.UTF8.GetByteCount("pässwörd");
            await s.ExpectCommandAsync("A0001", $"LOGIN bob {{{size}}}");
            await s.SendAsync("+ OK");
            literal = await s.ReadExactlyAsync(size);
            await s.ExpectAsync(string.Empty);
            await s.SendAsync("A0001 OK Logged in");
            await s.ExpectCommandAsync("A0002", "CAPABILITY");
            await s.SendAsync("* CAPABILITY IMAP4rev1 IDLE MOVE", "A0002 OK done");
        });
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await client.LoginAsync("bob", "pässwörd");

        await peer.AssertCompletedAsync();
        Assert.That(literal, Is.EqualTo(Encoding.UTF8.GetBytes("pässwörd")));
        Assert.That(client.Capabilities, Does.Contain("MOVE"));
    }

    [Test]
    public async Task Login_uses_a_non_synchronizing_literal_with_LITERAL_PLUS()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "LOGIN bob {10+}");
            Assert.That(Encoding.UTF8.GetString(await s.ReadExactlyAsync(10)), Is.EqualTo("geheim€x"));
            await s.ExpectAsync(string.Empty);
            await s.SendAsync($"A0001 OK [CAPABILITY {ScriptedImapPeer.LoggedInCapabilities}] Logged in");
        });
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await client.LoginAsync("bob", "geheim€x");

        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Login_failure_reports_the_reply_but_never_the_password()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 NO [AUTHENTICATIONFAILED] Authentication failed.");
        });
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.LoginAsync("alice", "hunter2-secret"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Status, Is.EqualTo("NO"));
            Assert.That(ex.Command, Is.EqualTo("LOGIN"));
            Assert.That(ex.ResponseCode, Is.EqualTo("AUTHENTICATIONFAILED"));
            Assert.That(ex.ServerText, Is.EqualTo("Authentication failed."));
            Assert.That(ex.ToString(), Does.Not.Contain("hunter2"));
            Assert.That(client.IsAuthenticated, Is.False);
        });
    }

    [Test]
    public async Task Select_reports_the_mailbox_state()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync(exists: 42, uidNext: 77);
        });

        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        Assert.That(client.SelectedMailbox, Is.EqualTo(new ImapMailbox("INBOX", 1700000000, 77, 42)));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Select_of_a_missing_mailbox_is_a_command_exception()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 IDLE] Logged in");
            await s.ExpectCommandAsync("A0002", "SELECT &AMQ-rzte");
            await s.SendAsync("A0002 NO [NONEXISTENT] Mailbox doesn't exist: Ärzte");
        });
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);
        await client.LoginAsync("alice", "secret");

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.SelectAsync("Ärzte"));

        Assert.That(ex!.ResponseCode, Is.EqualTo("NONEXISTENT"));
        Assert.That(client.SelectedMailbox, Is.Null);
        Assert.That(client.IsConnected, Is.True);
    }

    [Test]
    public async Task UidSearch_returns_UIDs_in_ascending_order()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "UID SEARCH UID 3:*");
            await s.SendAsync("* SEARCH 9 3 7", "A0003 OK Search completed (0.001 + 0.000 secs).");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var uids = await client.UidSearchAsync("UID 3:*");

        Assert.That(uids, Is.EqualTo(new uint[] { 3, 7, 9 }));
    }

    [Test]
    public async Task UidFetch_returns_the_exact_message_bytes()
    {
        var message = Encoding.ASCII.GetBytes("From: a@mail.test\r\nSubject: x\r\n\r\nbody\r\n)\r\nA0003 OK not really\r\n")
            .Concat(Enumerable.Range(0, 256).Select(i => (byte)i)).ToArray();
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            command = await s.ExpectCommandAsync("A0003", "UID FETCH 7 *");
            await s.SendRawAsync([
                .. Encoding.ASCII.GetBytes($"* 2 FETCH (UID 7 BODY[] {{{message.Length}}}\r\n"),
                .. message,
                .. ")\r\nA0003 OK Fetch completed (0.001 + 0.000 secs).\r\n"u8.ToArray()]);
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var fetched = await client.UidFetchMessageAsync(7);

        Assert.That(command, Is.EqualTo("UID FETCH 7 (UID BODY.PEEK[])"));
        Assert.That(fetched, Is.EqualTo(message));
        Assert.That(client.HasPendingChanges, Is.False);
    }

    [Test]
    public async Task UidFetch_returns_null_for_a_UID_that_does_not_exist()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "UID FETCH 99 *");
            await s.SendAsync("A0003 OK Fetch completed.");
            await s.ExpectCommandAsync("A0004", "UID FETCH 5 *");
            await s.SendAsync("A0004 NO [EXPUNGEISSUED] Some of the requested messages no longer exist (n/a)");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        Assert.That(await client.UidFetchMessageAsync(99), Is.Null);
        Assert.That(await client.UidFetchMessageAsync(5), Is.Null);
    }

    [Test]
    public async Task An_EXISTS_during_a_fetch_is_remembered_and_ends_the_next_IDLE_at_once()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync(exists: 3);
            await s.ExpectCommandAsync("A0003", "UID FETCH 7 *");
            await s.SendAsync(
                "* 3 FETCH (UID 7 BODY[] {5}",
                "hello)",
                "* 4 EXISTS",
                "* 1 FETCH (FLAGS (\\Seen))",
                "A0003 OK Fetch completed.");
            await ExpectLogoutAsync(s, "A0004");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var body = await client.UidFetchMessageAsync(7);
        var idle = await client.IdleAsync(TimeSpan.FromMinutes(5));

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(body!), Is.EqualTo("hello"));
            Assert.That(idle, Is.EqualTo(new ImapIdleResult(true, 4)));
            Assert.That(client.SelectedMailbox!.Exists, Is.EqualTo(4));
            Assert.That(client.HasPendingChanges, Is.False);
        });
        await client.LogoutAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Idle_returns_as_soon_as_EXISTS_arrives()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync(exists: 3);
            await s.ExpectCommandAsync("A0003", "IDLE");
            await s.SendAsync("+ idling");
            await Task.Delay(100);
            await s.SendAsync("* OK Still here", "* 4 EXISTS", "* 1 RECENT");
            await s.ExpectAsync("DONE");
            await s.SendAsync("A0003 OK Idle completed (0.001 + 1.000 secs).");
            await s.ExpectCommandAsync("A0004", "NOOP");
            await s.SendAsync("A0004 OK NOOP completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);
        var watch = Stopwatch.StartNew();

        var result = await client.IdleAsync(TimeSpan.FromMinutes(10));

        Assert.That(result.Changed, Is.True);
        Assert.That(result.Exists, Is.EqualTo(4));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        await client.NoopAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Idle_ends_with_DONE_when_the_maximum_duration_elapses()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "IDLE");
            await s.SendAsync("+ idling");
            await s.ExpectAsync("DONE");
            await s.SendAsync("A0003 OK Idle completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var result = await client.IdleAsync(TimeSpan.FromMilliseconds(200));

        Assert.That(result, Is.EqualTo(new ImapIdleResult(false, null)));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Idle_ends_cleanly_when_cancelled()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "IDLE");
            await s.SendAsync("+ idling");
            await s.ExpectAsync("DONE");
            await s.SendAsync("* 5 EXPUNGE", "A0003 OK Idle completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var result = await client.IdleAsync(TimeSpan.FromMinutes(10), cts.Token);

        Assert.That(result, Is.EqualTo(new ImapIdleResult(true, 2)), "the EXPUNGE that came with the OK counts");
        Assert.That(client.IsConnected, Is.True);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Idle_fails_within_the_bound_when_DONE_is_never_acknowledged()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "IDLE");
            await s.SendAsync("+ idling");
            await s.ExpectAsync("DONE");
            await s.HangAsync();
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer, new ImapClientOptions { DoneTimeout = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.IdleAsync(TimeSpan.FromMilliseconds(100)));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("did not acknowledge DONE within 300 ms"));
            Assert.That(ex.IsTimeout, Is.True);
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
        var again = await Assert.ThrowsAsync<MailConnectionException>(() => client.NoopAsync());
        Assert.That(again!.Message, Does.Contain("no longer usable"));
    }

    [Test]
    public async Task Idle_reports_a_connection_dropped_while_waiting()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "IDLE");
            await s.SendAsync("+ idling");
            await Task.Delay(100);
            s.Close();
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.IdleAsync(TimeSpan.FromMinutes(10)));

        Assert.That(ex!.Message, Does.Contain("connection closed by server while waiting in IDLE"));
    }

    [Test]
    public async Task Idle_without_the_IDLE_capability_waits_and_polls_with_NOOP()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1] ready");
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in");
            await s.ExpectCommandAsync("A0002", "SELECT INBOX");
            await s.SendAsync("* 1 EXISTS", "A0002 OK [READ-WRITE] Select completed.");
            await s.ExpectCommandAsync("A0003", "NOOP");
            await s.SendAsync("* 2 EXISTS", "A0003 OK NOOP completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var result = await client.IdleAsync(TimeSpan.FromMilliseconds(100));

        Assert.That(result, Is.EqualTo(new ImapIdleResult(true, 2)));
    }

    [Test]
    public async Task A_server_that_drops_the_connection_inside_a_literal_fails_fast()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "UID FETCH 7 *");
            await s.SendRawAsync("* 1 FETCH (UID 7 BODY[] {100}\r\nonly a part"u8.ToArray());
            s.Close();
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.UidFetchMessageAsync(7));

        Assert.That(ex!.Message, Does.Contain("connection closed by server while waiting for the reply to UID FETCH"));
        Assert.That(ex.Message, Does.Not.Contain("only a part"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task A_server_that_never_answers_times_out()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "NOOP");
            await s.HangAsync();
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer, new ImapClientOptions { CommandTimeout = TimeSpan.FromMilliseconds(300) });

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.NoopAsync());

        Assert.That(ex!.IsTimeout, Is.True);
        Assert.That(ex.Message, Does.Contain("timed out after 300 ms while waiting for the reply to NOOP"));
    }

    [Test]
    public async Task A_BYE_before_the_close_is_quoted_in_the_error()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "NOOP");
            await s.SendAsync("* BYE Server shutting down.");
            s.Close();
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.NoopAsync());

        Assert.That(ex!.Message, Does.Contain("BYE Server shutting down."));
    }

    [Test]
    public async Task A_BYE_greeting_is_a_refused_session()
    {
        await using var peer = ScriptedImapPeer.Start(s => s.SendAsync("* BYE Too many connections from your IP"));
        await using var client = new ImapClient();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(
            () => client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext));

        Assert.That(ex!.Message, Does.Contain("Too many connections"));
    }

    [Test]
    public async Task Alerts_and_capability_updates_are_taken_from_any_response()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "NOOP");
            await s.SendAsync(
                "* OK [ALERT] Mailbox is at 95% of quota",
                "* CAPABILITY IMAP4rev1 IDLE NEWTHING",
                "A0003 OK NOOP completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        await client.NoopAsync();

        Assert.That(client.Alerts, Is.EqualTo(new[] { "Mailbox is at 95% of quota" }));
        Assert.That(client.Capabilities, Does.Contain("NEWTHING"));
        Assert.That(client.HasPendingChanges, Is.False);
    }

    [Test]
    public async Task Tags_are_unique_and_increasing()
    {
        PeerSession? session = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            session = s;
            await s.OpenInboxAsync();
            for (var i = 3; i <= 5; i++)
            {
                var tag = $"A{i.ToString("D4", CultureInfo.InvariantCulture)}";
                await s.ExpectCommandAsync(tag, "NOOP");
                await s.SendAsync($"{tag} OK NOOP completed.");
            }
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        for (var i = 0; i < 3; i++)
        {
            await client.NoopAsync();
        }

        await peer.AssertCompletedAsync();
        var tags = session!.ReceivedLines.Select(l => l.Split(' ')[0]).ToList();
        Assert.That(tags, Is.EqualTo(new[] { "A0001", "A0002", "A0003", "A0004", "A0005" }));
    }

    [Test]
    public async Task Overlapping_operations_are_refused()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "IDLE");
            await s.SendAsync("+ idling");
            await s.ExpectAsync("DONE");
            await s.SendAsync("A0003 OK Idle completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var idle = client.IdleAsync(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.NoopAsync());

        Assert.That((await idle).Changed, Is.False);
    }

    [Test]
    public async Task Commands_that_need_a_mailbox_refuse_without_one()
    {
        await using var peer = ScriptedImapPeer.Start(async s => await s.SendAsync(ScriptedImapPeer.Greeting));
        await using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UidSearchAsync("ALL"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.IdleAsync(TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SelectAsync("INBOX\r\nA9 DELETE INBOX"));
    }
}
