using MiSS.Mail.Imap;
using MiSS.Mail.Tests.Tls;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Imap;

/// <summary>
/// A scripted IMAP peer, not a server: it replays a conversation written by each test over one loopback connection
/// (see <see cref="ScriptedPeer"/>). Its canned responses imitate Dovecot 2.3.
/// </summary>
internal static class ScriptedImapPeer
{
    /// <summary>Dovecot-style greeting on a plaintext port that offers STARTTLS.</summary>
    public const string Greeting =
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.";

    /// <summary>Capabilities Dovecot announces in the tagged OK of LOGIN.</summary>
    public const string LoggedInCapabilities =
        "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY LITERAL+ NOTIFY SPECIAL-USE";

    /// <summary>The client side of <see cref="OpenInboxAsync(PeerSession, int, uint)"/>: connected in plaintext, logged in, INBOX selected.</summary>
    public static async Task<ImapClient> OpenInboxClientAsync(ScriptedPeer peer, ImapClientOptions? options = null)
    {
        var client = new ImapClient(options);
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, new TlsSettings { AllowPlaintext = true });
        await client.LoginAsync("alice", "secret");
        await client.SelectAsync("INBOX");
        return client;
    }

    /// <summary>Starts a peer running <paramref name="script"/>.</summary>
    public static ScriptedPeer Start(Func<PeerSession, Task> script) => ScriptedPeer.Start(script);

    /// <summary>
    /// Reads one command, checks that its tag is <paramref name="tag"/> and the rest matches <paramref name="command"/>
    /// (a trailing "*" matches any rest); returns the rest.
    /// </summary>
    public static async Task<string> ExpectCommandAsync(this PeerSession session, string tag, string command)
    {
        var line = await session.ExpectAsync($"{tag} {command}");
        return line[(tag.Length + 1)..];
    }

    /// <summary>Greeting, LOGIN (A0001) and SELECT INBOX (A0002) the way Dovecot answers them.</summary>
    public static async Task OpenInboxAsync(this PeerSession session, int exists = 3, uint uidNext = 10)
    {
        await session.SendAsync(Greeting);
        await session.ExpectCommandAsync("A0001", "LOGIN *");
        await session.SendAsync($"A0001 OK [CAPABILITY {LoggedInCapabilities}] Logged in");
        await session.ExpectCommandAsync("A0002", "SELECT INBOX");
        await session.SendAsync(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
            $"* {exists} EXISTS",
            "* 0 RECENT",
            "* OK [UIDVALIDITY 1700000000] UIDs valid",
            $"* OK [UIDNEXT {uidNext}] Predicted next UID",
            "* OK [HIGHESTMODSEQ 12] Highest",
            "A0002 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).");
    }
}
