using System.Diagnostics;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Imap;
using MiSS.Mail.Tests.Tls;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Imap;

/// <summary>AUTHENTICATE, EXAMINE, summaries, STORE, EXPUNGE, APPEND, COPY/MOVE, LIST/CREATE/DELETE against scripted peers.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ImapCommandTests
{
    private const string Token = "ya29.a0AfH6SMBx-secret-token_value";

    private static readonly TlsSettings Plaintext = new() { AllowPlaintext = true };

    private static async Task<ImapClient> ConnectAsync(ScriptedPeer peer, TlsSettings? tls = null)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, tls ?? Plaintext);
        return client;
    }

    /// <summary>Greeting with <paramref name="preLogin"/> capabilities, LOGIN answered with <paramref name="postLogin"/>, SELECT INBOX.</summary>
    private static async Task OpenInboxWithAsync(PeerSession s, string postLogin, int exists = 3)
    {
        await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
        await s.ExpectCommandAsync("A0001", "LOGIN *");
        await s.SendAsync($"A0001 OK [CAPABILITY {postLogin}] Logged in");
        await s.ExpectCommandAsync("A0002", "SELECT INBOX");
        await s.SendAsync($"* {exists} EXISTS", "* OK [UIDVALIDITY 5] v", "* OK [UIDNEXT 20] n", "A0002 OK [READ-WRITE] Select completed.");
    }

    private static string DecodeBase64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text));

    [Test]
    public async Task Authenticate_PLAIN_sends_the_initial_response_with_SASL_IR()
    {
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            command = await s.ExpectCommandAsync("A0001", "AUTHENTICATE PLAIN *");
            await s.SendAsync($"A0001 OK [CAPABILITY {ScriptedImapPeer.LoggedInCapabilities}] Logged in");
        });
        await using var client = await ConnectAsync(peer);

        await client.AuthenticateAsync("alice@mail.test", "pa\"ss wörd");

        await peer.AssertCompletedAsync();
        Assert.That(DecodeBase64(command!["AUTHENTICATE PLAIN ".Length..]), Is.EqualTo("\0alice@mail.test\0pa\"ss wörd"));
        Assert.That(client.IsAuthenticated, Is.True);
        Assert.That(client.Capabilities, Does.Contain("MOVE"));
    }

    [Test]
    public async Task Authenticate_PLAIN_without_SASL_IR_answers_the_empty_challenge_and_asks_for_capabilities()
    {
        string? response = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
            await s.ExpectCommandAsync("A0001", "AUTHENTICATE PLAIN");
            await s.SendAsync("+ ");
            response = await s.ReadLineAsync();
            await s.SendAsync("A0001 OK Logged in");
            await s.ExpectCommandAsync("A0002", "CAPABILITY");
            await s.SendAsync("* CAPABILITY IMAP4rev1 UIDPLUS", "A0002 OK done");
        });
        await using var client = await ConnectAsync(peer);

        await client.AuthenticateAsync("bob", "secret");

        await peer.AssertCompletedAsync();
        Assert.That(DecodeBase64(response!), Is.EqualTo("\0bob\0secret"));
        Assert.That(client.Capabilities, Does.Contain("UIDPLUS"));
    }

    [Test]
    public async Task Authenticate_PLAIN_failure_reports_the_reply_but_never_the_password()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "AUTHENTICATE PLAIN *");
            await s.SendAsync("A0001 NO [AUTHENTICATIONFAILED] Authentication failed.");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.AuthenticateAsync("alice", "hunter2-secret"));

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0hunter2-secret"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Command, Is.EqualTo("AUTHENTICATE"));
            Assert.That(ex.ResponseCode, Is.EqualTo("AUTHENTICATIONFAILED"));
            Assert.That(ex.ToString(), Does.Not.Contain("hunter2").And.Not.Contain(encoded));
            Assert.That(client.IsAuthenticated, Is.False);
        });
    }

    [Test]
    public async Task Authenticate_cancels_an_unexpected_challenge_with_a_star()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "AUTHENTICATE PLAIN *");
            await s.SendAsync("+ bW9yZT8=");
            await s.ExpectAsync("*");
            await s.SendAsync("A0001 BAD Authentication aborted by client.");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.AuthenticateAsync("alice", "secret"));

        Assert.That(ex!.Status, Is.EqualTo("BAD"));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Authenticate_is_refused_on_a_plaintext_channel_and_when_the_mechanism_is_not_offered()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready");
            await s.ExpectCommandAsync("A0001", "LOGOUT");
            await s.SendAsync("* BYE bye", "A0001 OK done");
        });
        await using var client = await ConnectAsync(peer, new TlsSettings());

        await Assert.ThrowsAsync<MailTlsException>(() => client.AuthenticateAsync("alice", "secret"));
        await Assert.ThrowsAsync<MailTlsException>(() => client.AuthenticateOAuth2Async("alice", Token));
        await client.LogoutAsync();
        await peer.AssertCompletedAsync();

        await using var other = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
            await s.ExpectCommandAsync("A0001", "LOGOUT");
            await s.SendAsync("* BYE bye", "A0001 OK done");
        });
        await using var second = await ConnectAsync(other);
        var ex = await Assert.ThrowsAsync<MailException>(() => second.AuthenticateOAuth2Async("alice", Token));
        Assert.That(ex!.Message, Does.Contain("AUTH=XOAUTH2"));
        await second.LogoutAsync();
        await other.AssertCompletedAsync();
    }

    [Test]
    public async Task XOAUTH2_sends_the_bearer_token_with_SASL_IR()
    {
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=PLAIN] Gimap ready");
            command = await s.ExpectCommandAsync("A0001", "AUTHENTICATE XOAUTH2 *");
            await s.SendAsync("* CAPABILITY IMAP4rev1 UNSELECT IDLE UIDPLUS MOVE", "A0001 OK alice@gmail.test authenticated (Success)");
        });
        await using var client = await ConnectAsync(peer);

        await client.AuthenticateOAuth2Async("alice@gmail.test", Token);

        await peer.AssertCompletedAsync();
        Assert.That(DecodeBase64(command!["AUTHENTICATE XOAUTH2 ".Length..]), Is.EqualTo($"user=alice@gmail.test\u0001auth=Bearer {Token}\u0001\u0001"));
        Assert.That(client.Capabilities, Does.Contain("MOVE"), "capabilities from the untagged CAPABILITY");
    }

    [Test]
    public async Task XOAUTH2_answers_the_error_challenge_with_an_empty_line_and_reports_the_tagged_NO()
    {
        var json = Convert.ToBase64String("{\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}"u8.ToArray());
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready");
            await s.ExpectCommandAsync("A0001", "AUTHENTICATE XOAUTH2");
            await s.SendAsync("+ ");
            await s.ReadLineAsync();
            await s.SendAsync($"+ {json}");
            await s.ExpectAsync(string.Empty);
            await s.SendAsync("A0001 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)");
            await s.ExpectCommandAsync("A0002", "LOGOUT");
            await s.SendAsync("* BYE bye", "A0002 OK done");
        });
        await using var client = await ConnectAsync(peer);

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.AuthenticateOAuth2Async("alice@gmail.test", Token));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Status, Is.EqualTo("NO"));
            Assert.That(ex.ResponseCode, Is.EqualTo("AUTHENTICATIONFAILED"));
            Assert.That(ex.Message, Does.Contain("Invalid credentials").And.Contain("OAuth2 status 400"));
            Assert.That(ex.ToString(), Does.Not.Contain("secret-token"));
            Assert.That(client.IsConnected, Is.True);
        });
        await client.LogoutAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task Examine_opens_read_only_and_a_READ_ONLY_select_is_reported()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "EXAMINE Archive");
            await s.SendAsync(
                "* OK [CLOSED] Previous mailbox closed.",
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                "* OK [PERMANENTFLAGS ()] Read-only mailbox.",
                "* 12 EXISTS",
                "* 0 RECENT",
                "* OK [UIDVALIDITY 42] UIDs valid",
                "* OK [UIDNEXT 100] Predicted next UID",
                "A0003 OK [READ-ONLY] Examine completed.");
            await s.ExpectCommandAsync("A0004", "SELECT Shared");
            await s.SendAsync("* 1 EXISTS", "* OK [UIDVALIDITY 7] v", "* OK [UIDNEXT 2] n", "A0004 OK [READ-ONLY] Select completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var examined = await client.ExamineAsync("Archive");
        var shared = await client.SelectAsync("Shared");

        Assert.Multiple(() =>
        {
            Assert.That(examined, Is.EqualTo(new ImapMailbox("Archive", 42, 100, 12) { ReadOnly = true }));
            Assert.That(shared.ReadOnly, Is.True);
            Assert.That(client.SelectedMailbox, Is.EqualTo(shared));
            Assert.That(client.HasPendingChanges, Is.False);
        });
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task A_UIDVALIDITY_change_during_the_session_is_surfaced()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "NOOP");
            await s.SendAsync("* OK [UIDVALIDITY 1800000000] UIDs renumbered", "A0003 OK NOOP completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);
        Assert.That(client.SelectedMailbox!.UidValidity, Is.EqualTo(1700000000));

        await client.NoopAsync();

        Assert.That(client.SelectedMailbox!.UidValidity, Is.EqualTo(1800000000));
        Assert.That(client.HasPendingChanges, Is.True, "the next IDLE returns at once so the caller looks again");
        Assert.That((await client.IdleAsync(TimeSpan.FromMinutes(1))).Changed, Is.True);
    }

    [Test]
    public async Task Summaries_are_fetched_with_one_command_and_parsed_merged_and_sorted()
    {
        var header7 = "From: a@mail.test\r\nSubject: seven\r\n\r\n"u8.ToArray();
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            command = await s.ExpectCommandAsync("A0003", "UID FETCH *");
            await s.SendRawAsync([
                .. "* 3 FETCH (UID 9 FLAGS () RFC822.SIZE 120 INTERNALDATE \" 5-Jan-2024 09:08:07 +0100\" BODY[HEADER] \"Subject: nine\")\r\n"u8.ToArray(),
                .. Encoding.ASCII.GetBytes($"* 1 FETCH (UID 7 FLAGS (\\Seen $Label) RFC822.SIZE 4096 INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" BODY[HEADER] {{{header7.Length}}}\r\n"),
                .. header7,
                .. ")\r\n"u8.ToArray(),
                .. "* 2 FETCH (FLAGS (\\Deleted))\r\n"u8.ToArray(),
                .. "* 4 FETCH (UID 11 FLAGS (\\Flagged))\r\n"u8.ToArray(),
                .. "* 4 FETCH (UID 11 RFC822.SIZE 5 INTERNALDATE \"bad date\" BODY[HEADER] NIL)\r\n"u8.ToArray(),
                .. "A0003 OK Fetch completed.\r\n"u8.ToArray()]);
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var summaries = await client.UidFetchSummariesAsync("7:*");

        Assert.That(command, Is.EqualTo("UID FETCH 7:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER])"));
        Assert.That(summaries.Select(m => m.Uid), Is.EqualTo(new uint[] { 7, 9, 11 }));
        Assert.Multiple(() =>
        {
            Assert.That(summaries[0].Flags, Is.EqualTo(new[] { "\\Seen", "$Label" }));
            Assert.That(summaries[0].Size, Is.EqualTo(4096));
            Assert.That(summaries[0].InternalDate, Is.EqualTo(new DateTimeOffset(1996, 7, 17, 2, 44, 25, TimeSpan.FromHours(-7))));
            Assert.That(summaries[0].InternalDate!.Value.Offset, Is.EqualTo(TimeSpan.FromHours(-7)));
            Assert.That(summaries[0].Headers, Is.EqualTo(header7));
            Assert.That(summaries[1].Flags, Is.Empty);
            Assert.That(summaries[1].InternalDate, Is.EqualTo(new DateTimeOffset(2024, 1, 5, 9, 8, 7, TimeSpan.FromHours(1))));
            Assert.That(summaries[1].Headers, Is.EqualTo("Subject: nine"u8.ToArray()));
            Assert.That(summaries[2].Flags, Is.EqualTo(new[] { "\\Flagged" }), "FLAGS and the rest in two FETCH responses are merged");
            Assert.That(summaries[2].InternalDate, Is.Null);
            Assert.That(summaries[2].Headers, Is.Null);
            Assert.That(client.HasPendingChanges, Is.True, "the FETCH without UID is somebody else's flag change");
        });
    }

    [Test]
    public async Task Summaries_of_partly_expunged_messages_return_what_arrived()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "UID FETCH 5,7 *");
            await s.SendAsync(
                "* 1 FETCH (UID 5 FLAGS () RFC822.SIZE 10 INTERNALDATE \"01-Feb-2024 00:00:00 +0000\" BODY[HEADER] {0}",
                ")",
                "A0003 NO [EXPUNGEISSUED] Some messages were expunged");
            await s.ExpectCommandAsync("A0004", "UID FETCH 1 *");
            await s.SendAsync("A0004 BAD Error in IMAP command");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var summaries = await client.UidFetchSummariesAsync("5,7");
        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.UidFetchSummariesAsync("1"));

        Assert.That(summaries.Single().Headers, Is.Empty);
        Assert.That(ex!.Status, Is.EqualTo("BAD"));
    }

    [TestCase("")]
    [TestCase("0")]
    [TestCase("1:")]
    [TestCase("1,,2")]
    [TestCase("a")]
    [TestCase("1 2")]
    [TestCase("01")]
    [TestCase("1:2:3")]
    [TestCase("4294967296")]
    [TestCase("1\r\nA1 LOGOUT")]
    public void Malformed_UID_sets_are_refused_before_anything_is_sent(string set)
    {
        Assert.Throws<ArgumentException>(() => ImapSyntax.ValidateSequenceSet(set, "uidSet"));
    }

    [TestCase("1")]
    [TestCase("*")]
    [TestCase("1:*")]
    [TestCase("5,7,9")]
    [TestCase("3:5,8,10:*")]
    [TestCase("4294967295")]
    public void Valid_UID_sets_are_accepted(string set)
    {
        Assert.DoesNotThrow(() => ImapSyntax.ValidateSequenceSet(set, "uidSet"));
    }

    [Test]
    public async Task UID_STORE_uses_silent_items_for_each_mode()
    {
        var commands = new List<string>();
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            for (var i = 3; i <= 5; i++)
            {
                commands.Add(await s.ExpectCommandAsync($"A000{i}", "UID STORE *"));
                await s.SendAsync($"A000{i} OK Store completed.");
            }
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        await client.UidStoreFlagsAsync("5,7", ImapStoreMode.Add, ["\\Seen", "$Label", "\\seen"]);
        await client.UidStoreFlagsAsync("1:*", ImapStoreMode.Remove, ["\\Flagged"]);
        await client.UidStoreFlagsAsync("9", ImapStoreMode.Replace, []);

        Assert.That(commands, Is.EqualTo(new[]
        {
            "UID STORE 5,7 +FLAGS.SILENT (\\Seen $Label)",
            "UID STORE 1:* -FLAGS.SILENT (\\Flagged)",
            "UID STORE 9 FLAGS.SILENT ()",
        }));
        Assert.That(client.HasPendingChanges, Is.False);
    }

    [TestCase("has space")]
    [TestCase("\\")]
    [TestCase("(paren")]
    [TestCase("\\*")]
    [TestCase("quo\"te")]
    [TestCase("")]
    [TestCase("br]acket")]
    [TestCase("ünïcode")]
    public async Task Invalid_flags_are_refused_before_anything_is_sent(string flag)
    {
        await using var client = new ImapClient();

        await Assert.ThrowsAsync<ArgumentException>(() => client.UidStoreFlagsAsync("1", ImapStoreMode.Add, [flag]));
    }

    [Test]
    public async Task UID_EXPUNGE_with_UIDPLUS_takes_its_own_EXPUNGE_responses_without_signalling_a_change()
    {
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync(exists: 5);
            command = await s.ExpectCommandAsync("A0003", "UID EXPUNGE *");
            await s.SendAsync("* 2 EXPUNGE", "* 2 EXPUNGE", "* 3 RECENT", "A0003 OK Expunge completed.");
            await s.ExpectCommandAsync("A0004", "EXPUNGE");
            await s.SendAsync("* 1 EXPUNGE", "A0004 OK Expunge completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        await client.UidExpungeAsync("4:5");
        var afterUidExpunge = client.SelectedMailbox!.Exists;
        await client.ExpungeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(command, Is.EqualTo("UID EXPUNGE 4:5"));
            Assert.That(afterUidExpunge, Is.EqualTo(3));
            Assert.That(client.SelectedMailbox!.Exists, Is.EqualTo(2));
            Assert.That(client.HasPendingChanges, Is.False);
        });
    }

    [Test]
    public async Task UID_EXPUNGE_without_UIDPLUS_falls_back_to_EXPUNGE()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await OpenInboxWithAsync(s, "IMAP4rev1 IDLE");
            await s.ExpectCommandAsync("A0003", "EXPUNGE");
            await s.SendAsync("* 3 EXPUNGE", "A0003 OK Expunge completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        await client.UidExpungeAsync("7");

        Assert.That(client.SelectedMailbox!.Exists, Is.EqualTo(2));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task APPEND_waits_for_the_continuation_and_returns_the_APPENDUID()
    {
        var message = "From: a@mail.test\r\nSubject: sent\r\n\r\nbody\r\n"u8.ToArray();
        byte[]? literal = null;
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in");
            command = await s.ExpectCommandAsync("A0002", "APPEND *");
            await s.SendAsync("+ Ready for literal data");
            literal = await s.ReadExactlyAsync(message.Length);
            await s.ExpectAsync(string.Empty);
            await s.SendAsync("A0002 OK [APPENDUID 1700000000 42] Append completed.");
        });
        await using var client = await ConnectAsync(peer);
        await client.LoginAsync("alice", "secret");

        var uid = await client.AppendAsync(
            "Envoyés", message, ["\\Seen", "$Sent"], new DateTimeOffset(2024, 1, 5, 10, 0, 0, TimeSpan.FromHours(1)));

        await peer.AssertCompletedAsync();
        Assert.Multiple(() =>
        {
            Assert.That(command, Is.EqualTo($"APPEND Envoy&AOk-s (\\Seen $Sent) \" 5-Jan-2024 10:00:00 +0100\" {{{message.Length}}}"));
            Assert.That(literal, Is.EqualTo(message));
            Assert.That(uid, Is.EqualTo(42));
        });
    }

    [Test]
    public async Task APPEND_with_LITERAL_PLUS_does_not_wait_and_without_APPENDUID_returns_null()
    {
        var message = new byte[20_000];
        Array.Fill(message, (byte)'x');
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 LITERAL+] Logged in");
            await s.ExpectCommandAsync("A0002", "APPEND INBOX {20000+}");
            Assert.That(await s.ReadExactlyAsync(message.Length), Is.EqualTo(message));
            await s.ExpectAsync(string.Empty);
            await s.SendAsync("A0002 OK Append completed.");
        });
        await using var client = await ConnectAsync(peer);
        await client.LoginAsync("alice", "secret");

        var uid = await client.AppendAsync("INBOX", message.AsMemory());

        Assert.That(uid, Is.Null);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task APPEND_refused_before_the_continuation_sends_no_literal()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in");
            await s.ExpectCommandAsync("A0002", "APPEND Nowhere {5}");
            await s.SendAsync("A0002 NO [TRYCREATE] Mailbox doesn't exist: Nowhere");
            await s.ExpectCommandAsync("A0003", "NOOP");
            await s.SendAsync("A0003 OK NOOP completed.");
        });
        await using var client = await ConnectAsync(peer);
        await client.LoginAsync("alice", "secret");

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => client.AppendAsync("Nowhere", "hello"u8.ToArray()));
        await client.NoopAsync();

        Assert.That(ex!.ResponseCode, Is.EqualTo("TRYCREATE"));
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task MOVE_returns_the_COPYUID_mapping_and_absorbs_its_expunges()
    {
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync(exists: 5);
            command = await s.ExpectCommandAsync("A0003", "UID MOVE *");
            await s.SendAsync(
                "* OK [COPYUID 99 3:4,7 10:12] Moved UIDs.",
                "* 2 EXPUNGE",
                "* 2 EXPUNGE",
                "* 3 EXPUNGE",
                "A0003 OK Move completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var mapping = await client.UidMoveAsync("3:4,7", "Ärzte/Archiv");

        Assert.Multiple(() =>
        {
            Assert.That(command, Is.EqualTo("UID MOVE 3:4,7 &AMQ-rzte/Archiv"));
            Assert.That(mapping!.DestinationUidValidity, Is.EqualTo(99));
            Assert.That(mapping.Uids, Is.EqualTo(new Dictionary<uint, uint> { [3] = 10, [4] = 11, [7] = 12 }));
            Assert.That(client.SelectedMailbox!.Exists, Is.EqualTo(2));
            Assert.That(client.HasPendingChanges, Is.False);
        });
    }

    [Test]
    public async Task Without_MOVE_a_move_is_COPY_STORE_and_UID_EXPUNGE_of_exactly_the_set()
    {
        var commands = new List<string>();
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await OpenInboxWithAsync(s, "IMAP4rev1 IDLE UIDPLUS");
            commands.Add(await s.ExpectCommandAsync("A0003", "UID COPY *"));
            await s.SendAsync("A0003 OK [COPYUID 8 5 30] Copy completed.");
            commands.Add(await s.ExpectCommandAsync("A0004", "UID STORE *"));
            await s.SendAsync("A0004 OK Store completed.");
            commands.Add(await s.ExpectCommandAsync("A0005", "UID EXPUNGE *"));
            await s.SendAsync("* 1 EXPUNGE", "A0005 OK Expunge completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var mapping = await client.UidMoveAsync("5", "Archive");

        Assert.That(commands, Is.EqualTo(new[] { "UID COPY 5 Archive", "UID STORE 5 +FLAGS.SILENT (\\Deleted)", "UID EXPUNGE 5" }));
        Assert.That(mapping!.Uids[5], Is.EqualTo(30));
        Assert.That(client.SelectedMailbox!.Exists, Is.EqualTo(2));
    }

    [Test]
    public async Task Without_MOVE_and_UIDPLUS_the_originals_are_only_marked_deleted()
    {
        var commands = new List<string>();
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await OpenInboxWithAsync(s, "IMAP4rev1 IDLE");
            commands.Add(await s.ExpectCommandAsync("A0003", "UID COPY *"));
            await s.SendAsync("A0003 OK Copy completed.");
            commands.Add(await s.ExpectCommandAsync("A0004", "UID STORE *"));
            await s.SendAsync("A0004 OK Store completed.");
            await s.ExpectCommandAsync("A0005", "NOOP");
            await s.SendAsync("A0005 OK NOOP completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var mapping = await client.UidMoveAsync("5:6", "Archive");
        await client.NoopAsync();

        Assert.That(commands, Is.EqualTo(new[] { "UID COPY 5:6 Archive", "UID STORE 5:6 +FLAGS.SILENT (\\Deleted)" }));
        Assert.That(mapping, Is.Null);
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task LIST_parses_attributes_delimiters_and_encoded_names()
    {
        string? command = null;
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync($"A0001 OK [CAPABILITY {ScriptedImapPeer.LoggedInCapabilities}] Logged in");
            command = await s.ExpectCommandAsync("A0002", "LIST *");
            await s.SendAsync(
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                "* LIST (\\HasChildren \\Noselect) \"/\" \"&AMQ-rzte\"",
                "* LIST (\\HasNoChildren) \"/\" \"&AMQ-rzte/Dr. M&APw-ller\"",
                "* LIST (\\HasNoChildren \\Trash) NIL {10}",
                "Bin \"&-\" x",
                "* LIST (\\HasNoChildren) \"/\" \"Bad&Name\"",
                "A0002 OK List completed.");
        });
        await using var client = await ConnectAsync(peer);
        await client.LoginAsync("alice", "secret");

        var mailboxes = await client.ListMailboxesAsync();

        Assert.That(command, Is.EqualTo("LIST \"\" \"*\""));
        Assert.That(mailboxes.Select(m => m.Name), Is.EqualTo(new[] { "INBOX", "Sent", "Ärzte", "Ärzte/Dr. Müller", "Bin \"&\" x", "Bad&Name" }));
        Assert.Multiple(() =>
        {
            Assert.That(mailboxes.Single(m => m.SpecialUse == "\\Sent").Name, Is.EqualTo("Sent"));
            Assert.That(mailboxes[2].CanSelect, Is.False);
            Assert.That(mailboxes[3].Delimiter, Is.EqualTo("/"));
            Assert.That(mailboxes[4].Delimiter, Is.Null);
            Assert.That(mailboxes[4].SpecialUse, Is.EqualTo("\\Trash"));
            Assert.That(mailboxes[0].Attributes, Is.EqualTo(new[] { "\\HasNoChildren" }));
        });
    }

    [Test]
    public async Task CREATE_encodes_the_name_and_DELETE_of_the_selected_mailbox_leaves_it_first()
    {
        var commands = new List<string>();
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            commands.Add(await s.ExpectCommandAsync("A0003", "CREATE *"));
            await s.SendAsync("A0003 OK Create completed.");
            commands.Add(await s.ExpectCommandAsync("A0004", "CREATE *"));
            await s.SendAsync("A0004 NO [ALREADYEXISTS] Mailbox already exists");
            commands.Add(await s.ExpectCommandAsync("A0005", "SELECT *"));
            await s.SendAsync("* 0 EXISTS", "A0005 OK [READ-WRITE] Select completed.");
            commands.Add(await s.ExpectCommandAsync("A0006", "UNSELECT"));
            await s.SendAsync("A0006 OK Unselect completed.");
            commands.Add(await s.ExpectCommandAsync("A0007", "DELETE *"));
            await s.SendAsync("A0007 OK Delete completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        await client.CreateMailboxAsync("Befunde & Ärzte");
        var exists = await Assert.ThrowsAsync<ImapCommandException>(() => client.CreateMailboxAsync("Befunde & Ärzte"));
        await client.SelectAsync("Befunde & Ärzte");
        await client.DeleteMailboxAsync("Befunde & Ärzte");

        Assert.That(exists!.ResponseCode, Is.EqualTo("ALREADYEXISTS"));
        Assert.That(commands, Is.EqualTo(new[]
        {
            "CREATE \"Befunde &- &AMQ-rzte\"",
            "CREATE \"Befunde &- &AMQ-rzte\"",
            "SELECT \"Befunde &- &AMQ-rzte\"",
            "UNSELECT",
            "DELETE \"Befunde &- &AMQ-rzte\"",
        }));
        Assert.That(client.SelectedMailbox, Is.Null);
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteMailboxAsync("inbox"));
    }

    [Test]
    public async Task Commands_on_messages_refuse_without_a_selected_mailbox()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync(ScriptedImapPeer.Greeting);
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 UIDPLUS MOVE] Logged in");
        });
        await using var client = await ConnectAsync(peer);
        await client.LoginAsync("alice", "secret");

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UidFetchSummariesAsync("1:*"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UidStoreFlagsAsync("1", ImapStoreMode.Add, ["\\Seen"]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UidExpungeAsync("1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.ExpungeAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UidMoveAsync("1", "Archive"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UidCopyAsync("1", "Archive"));
    }

    [Test]
    public async Task A_connection_dropped_during_a_summary_fetch_fails_fast()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync();
            await s.ExpectCommandAsync("A0003", "UID FETCH *");
            await s.SendRawAsync("* 1 FETCH (UID 7 FLAGS () RFC822.SIZE 99 BODY[HEADER] {50}\r\nSubject: cut"u8.ToArray());
            s.Close();
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.UidFetchSummariesAsync("1:*"));

        Assert.That(ex!.Message, Does.Contain("while waiting for the reply to UID FETCH"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task A_server_that_stops_answering_an_APPEND_times_out()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
            await s.ExpectCommandAsync("A0001", "LOGIN *");
            await s.SendAsync("A0001 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in");
            await s.ExpectCommandAsync("A0002", "APPEND *");
            await s.HangAsync();
        });
        await using var client = new ImapClient(new ImapClientOptions { CommandTimeout = TimeSpan.FromMilliseconds(300) });
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, Plaintext);
        await client.LoginAsync("alice", "secret");

        var ex = await Assert.ThrowsAsync<MailConnectionException>(() => client.AppendAsync("INBOX", "x"u8.ToArray()));

        Assert.That(ex!.IsTimeout, Is.True);
        Assert.That(ex.Message, Does.Contain("waiting for the server to accept the APPEND arguments"));
    }

    [Test]
    public async Task MOVE_takes_a_COPYUID_sent_with_the_tagged_OK_and_ignores_an_unusable_one()
    {
        await using var peer = ScriptedImapPeer.Start(async s =>
        {
            await s.OpenInboxAsync(exists: 5);
            await s.ExpectCommandAsync("A0003", "UID MOVE 8 Archive");
            await s.SendAsync("* 4 EXPUNGE", "A0003 OK [COPYUID 3 8 44] Move completed.");
            await s.ExpectCommandAsync("A0004", "UID MOVE 9:10 Archive");
            await s.SendAsync("* OK [COPYUID 3 9:10 45] Moved UIDs.", "* 4 EXPUNGE", "* 4 EXPUNGE", "A0004 OK Move completed.");
        });
        await using var client = await ScriptedImapPeer.OpenInboxClientAsync(peer);

        var tagged = await client.UidMoveAsync("8", "Archive");
        var mismatched = await client.UidMoveAsync("9:10", "Archive");

        Assert.That(tagged!.Uids, Is.EqualTo(new Dictionary<uint, uint> { [8] = 44 }));
        Assert.That(mismatched, Is.Null, "two source UIDs for one destination UID is no mapping");
        Assert.That(client.SelectedMailbox!.Exists, Is.EqualTo(2));
    }

    [Test]
    public async Task Mailbox_arguments_are_checked_before_anything_is_sent()
    {
        await using var client = new ImapClient();

        await Assert.ThrowsAsync<ArgumentException>(() => client.AppendAsync("INBOX", ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AppendAsync("IN\r\nBOX", "x"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AppendAsync("INBOX", "x"u8.ToArray(), ["bad flag"]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateMailboxAsync(string.Empty));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExamineAsync("a\nb"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UidMoveAsync("1", "x\r\ny"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UidCopyAsync("1:0", "Archive"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AuthenticateAsync("nul\0name", "pw"));
    }
}
